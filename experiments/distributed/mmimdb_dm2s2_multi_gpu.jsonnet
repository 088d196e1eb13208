// DM2S2 on MM-IMDB with AllenNLP's distributed training (torch DDP), one process per GPU.
//
// One machine, 4 GPUs: set `cuda_devices` below to [0, 1, 2, 3], then
//   allennlp train experiments/distributed/mmimdb_dm2s2_multi_gpu.jsonnet -s runs/mmimdb_ddp \
//       --include-package dm2s2_allennlp
// Two machines with 4 GPUs each: set `num_nodes` to 2 and `primary_address` / `primary_port` to node 0's address and a
// free port, then run the same command with `--node-rank 0` on the first machine and `--node-rank 1` on the second.
//
// The per-GPU batch is mmimdb.libsonnet's batch size (the effective batch is that times the number of processes).
// The `fit_to_data` callback sums the workers' label counts, so Eq. 16's class weights are those of the whole
// training split. The frozen-encoder cache is shared by all workers of a machine (LMDB under $DM2S2_CACHE_DIR).
local cuda_devices = [0, 1];
local num_nodes = 1;
local primary_address = '127.0.0.1';
local primary_port = 29500;
(import '../mmimdb/mmimdb.libsonnet').config('dm2s2') + {
  distributed: {
    cuda_devices: cuda_devices,
    num_nodes: num_nodes,
    primary_address: primary_address,
    primary_port: primary_port,
  },
}
