// The recipe (dm2s2_allennlp/configs/recipe.jsonnet: what it is and why) on `make demo`'s films; on your own data
// name the files and nothing else (README "Bring your own data"):
//   dm2s2 train experiments/quickstart/movies_dm2s2.jsonnet -s OUT -o '{
//     "train_data_path": "d/train.csv", "validation_data_path": "d/dev.csv"}'
local data = 'data/movies';  // written by `make demo`
(import '../../dm2s2_allennlp/configs/recipe.jsonnet') + {
  train_data_path: data + '/train.jsonl',
  validation_data_path: data + '/dev.jsonl',
  // no test_data_path: AllenNLP reads every file it is given, evaluated or not, so a config naming the demo's test
  // file fails where it is absent; `make demo` evaluates the test split with `dm2s2 evaluate`
}
