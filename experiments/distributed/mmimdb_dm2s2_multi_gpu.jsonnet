// DM2S2 on MM-IMDB with AllenNLP's distributed training (torch DDP), one process per GPU.
//
// One machine, 4 GPUs:
//   DM2S2_CUDA_DEVICES='[0,1,2,3]' allennlp train experiments/distributed/mmimdb_dm2s2_multi_gpu.jsonnet \
//       -s runs/mmimdb_ddp --include-package dm2s2_allennlp
// Two machines with 4 GPUs each: set DM2S2_NUM_NODES=2, DM2S2_PRIMARY_ADDRESS=<node 0's address>,
// DM2S2_PRIMARY_PORT=<a free port> on both, then run the same command with `--node-rank 0` on the first machine and
// `--node-rank 1` on the second.
//
// The per-GPU batch is DM2S2_BATCH_SIZE (the effective batch is that times the number of processes). Every worker
// reads the vocabulary from files, which keep no label counts, so Eq. 16's class weights need the training counts:
// DM2S2_LABEL_COUNTS='{"Drama": 8424, "Comedy": 5108, ...}' (the reader logs nothing of this; count the train split,
// e.g. with `allennlp build-vocab` and the `labels` namespace of a single-process run). The frozen-encoder cache is
// shared by all workers of a machine (LMDB under DM2S2_CACHE_DIR).
local env = std.extVar;
(import '../mmimdb/mmimdb.libsonnet').config('dm2s2') + {
  model+: { label_counts: std.parseJson(env('DM2S2_LABEL_COUNTS')) },
  distributed: {
    cuda_devices: std.parseJson(env('DM2S2_CUDA_DEVICES')),
    num_nodes: std.parseInt(env('DM2S2_NUM_NODES')),
    primary_address: env('DM2S2_PRIMARY_ADDRESS'),
    primary_port: std.parseInt(env('DM2S2_PRIMARY_PORT')),
  },
}
