"""Build the two tiny random-weight encoders the tests use, offline, into fixtures/encoders/.

* tiny-bert: a BertModel with a WordPiece vocabulary (BERT-style [CLS] x [SEP], uncased);
* tiny-bert-ja: a BertModel behind a BertJapaneseTokenizer: MeCab word segmentation (fugashi + unidic-lite) in front
  of WordPiece, like the paper's Japanese whole-word-masking BERT; its vocabulary is built here from Japanese ad text;
* tiny-roberta: a RobertaModel with a byte-level BPE vocabulary trained here on the fixture texts
  (RoBERTa-style <s> x </s>, pad id 1, positions offset by the padding index).

Both: 2 layers, d=32, 2 heads, 512 usable positions, well under 1 MB. Weights are random (seeded): they exercise
tokenisation, packing and the model's plumbing, not language understanding. Re-run to rebuild:
``python scripts/build_tiny_encoders.py``.
"""
import json
import string
from pathlib import Path

import torch
from tokenizers import ByteLevelBPETokenizer
from transformers import BertConfig, BertModel, BertTokenizerFast, RobertaConfig, RobertaModel, RobertaTokenizerFast

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "fixtures" / "encoders"
CORPUS = """
the a an of and to in is it that for on with as by at from this be are was or not his her their they
movie film story plot title year length budget rating votes drama comedy action romance animation documentary short
love war man woman family life world city night day time house dark king girl boy lost last first new old
ocr text label labels object objects face faces person poster font logo car tree sky water building
parallel message transcription natural concrete image ad ads product buy sale free now best
keyword description path match exact phrase broad landing page performance adult spoof medical violence racy
toy story jumanji heat sabrina tom huck sudden death goldeneye american president dracula balto nixon
0 1 2 3 4 5 6 7 8 9 10 100 1995 2000 2004 pg pg-13 r nc-17 true false
"""


def words() -> list:
    return sorted(set(CORPUS.split()))


def build_bert(out: Path) -> None:
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab += list(string.ascii_lowercase) + list(string.digits) + list(string.punctuation)
    vocab += ["##" + c for c in string.ascii_lowercase + string.digits]
    vocab += [w for w in words() if w not in vocab]
    out.mkdir(parents=True, exist_ok=True)
    (out / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(out / "vocab.txt"), do_lower_case=True, model_max_length=512)
    tokenizer.save_pretrained(str(out))
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, type_vocab_size=2)
    BertModel(config).save_pretrained(str(out), safe_serialization=True)


JAPANESE = """
東京の美味しいラーメン店を予約する 今なら送料無料 公式サイト 限定セール 新作の靴を今すぐ購入 格安の旅行プラン
英会話教室の無料体験レッスン 人気の化粧品 お得なキャンペーン 中古車の査定 保険の見直し 完全一致 部分一致 インテントマッチ
"""


def build_bert_japanese(out: Path) -> None:
    import fugashi
    import unidic_lite
    from transformers import BertJapaneseTokenizer

    tagger = fugashi.Tagger(f"-d {unidic_lite.DICDIR} -r /dev/null")
    surfaces = sorted({w.surface for w in tagger(JAPANESE.replace("\n", " ")) if w.surface.strip()})
    chars = sorted({c for w in surfaces for c in w})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + list(string.digits) + list(string.punctuation)
    vocab += surfaces + [c for c in chars if c not in surfaces] + ["##" + c for c in chars]
    vocab += [w for w in words() if w not in vocab]
    out.mkdir(parents=True, exist_ok=True)
    (out / "vocab.txt").write_text("\n".join(dict.fromkeys(vocab)) + "\n", encoding="utf-8")
    tokenizer = BertJapaneseTokenizer(vocab_file=str(out / "vocab.txt"), do_lower_case=False,
                                      word_tokenizer_type="mecab", subword_tokenizer_type="wordpiece",
                                      mecab_kwargs={"mecab_dic": "unidic_lite"}, model_max_length=512)
    tokenizer.save_pretrained(str(out))
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tokenizer.vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, type_vocab_size=2)
    BertModel(config).save_pretrained(str(out), safe_serialization=True)


def build_roberta(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([CORPUS] * 3, vocab_size=600, min_frequency=1,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    bpe.save_model(str(out))
    tokenizer = RobertaTokenizerFast(vocab_file=str(out / "vocab.json"), merges_file=str(out / "merges.txt"),
                                     model_max_length=512)
    tokenizer.save_pretrained(str(out))
    torch.manual_seed(0)
    config = RobertaConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                           intermediate_size=64, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1,
                           bos_token_id=0, eos_token_id=2)
    RobertaModel(config).save_pretrained(str(out), safe_serialization=True)


if __name__ == "__main__":
    build_bert(OUT / "tiny-bert")
    build_bert_japanese(OUT / "tiny-bert-ja")
    build_roberta(OUT / "tiny-roberta")
    for name in ("tiny-bert", "tiny-bert-ja", "tiny-roberta"):
        size = sum(p.stat().st_size for p in (OUT / name).iterdir())
        print(json.dumps({"encoder": name, "bytes": size}))
