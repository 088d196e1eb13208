"""Merge sub-word pieces back into readable words, carrying their attention weights along.

A piece continues the previous word when it is a WordPiece continuation (``##ary``), or when the tokenizer marks word
STARTS instead (byte-level BPE ``Ġword``, SentencePiece ``▁word``) and it carries no such mark. A word's weight is the
SUM of its pieces' IntraMRA weights, so the words of a modality still sum to that modality's total (1 when present):
"document" + "##ary" -> ("documentary", w1 + w2).
"""
from typing import List, Sequence, Tuple

START_MARKS = ("Ġ", "▁")


def merge_word_pieces(pieces: Sequence[str], weights: Sequence[float]) -> List[Tuple[str, float]]:
    marks_starts = any(p.startswith(START_MARKS) for p in pieces)
    words: List[List] = []
    for index, (piece, weight) in enumerate(zip(pieces, weights)):
        if piece.startswith("##") and words:
            words[-1][0] += piece[2:]
            words[-1][1] += weight
        elif marks_starts and index > 0 and not piece.startswith(START_MARKS) and words:
            words[-1][0] += piece
            words[-1][1] += weight
        else:
            text = piece[1:] if piece.startswith(START_MARKS) else piece
            words.append([text, weight])
    return [(text, float(weight)) for text, weight in words]
