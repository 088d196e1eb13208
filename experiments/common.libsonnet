// Shared parts of the paper's experiments (DM2S2, IEEE Access 2022, Section IV-C).
// Every data path and the encoder come from std.extVar; importing dm2s2_allennlp fills in the documented defaults
// (dm2s2_allennlp/defaults.py) and the environment overrides them.
local env(name) = std.extVar(name);
{
  env:: env,
  cuda_device:: std.parseInt(env('DM2S2_CUDA_DEVICE')),
  // the paper's DM2S2 with its ablation switches (Tables 3, 5, 6); `encoder` is frozen and kept in eval mode
  model(modalities, task, encoder, switches={}, extra={}):: {
    type: 'dm2s2',
    modalities: modalities,
    task: task,
    transformer_model_name: encoder,
    train_parameters: false,
    max_length: 512,
    use_intra: true,
    use_inter: true,
    residual: true,
    similarity: 'additive',
    pooling: 'mean',
    encoder_autocast: if env('DM2S2_AMP') == 'true' then 'bfloat16' else null,
  } + switches + extra,
  // Adam with decoupled weight decay; lr warmed up linearly from 0 to 1e-3 over 5 epochs, then cosine annealing
  trainer(validation_metric):: {
    optimizer: { type: 'adamw', lr: 1e-3, weight_decay: 0.01 },
    learning_rate_scheduler: { type: 'warmup_cosine', warmup_epochs: 5 },
    num_epochs: std.parseInt(env('DM2S2_EPOCHS')),
    validation_metric: validation_metric,
    cuda_device: $.cuda_device,
    // DM2S2_AMP=true: the frozen encoder runs in bfloat16 on CUDA (encoder_autocast); the small trainable part
    // stays in float32, so AllenNLP's fp16 AMP and its loss scaling are not needed
    use_amp: false,
  },
  // batches of similar unified-sequence length (little padding); the frozen encoder's states are cached
  data_loader:: { batch_sampler: { type: 'token_bucket', batch_size: std.parseInt(env('DM2S2_BATCH_SIZE')) } },
  validation_data_loader:: {
    batch_sampler: { type: 'token_bucket', batch_size: std.parseInt(env('DM2S2_BATCH_SIZE')), shuffle: false },
  },
  // the ablation variants of Tables 3, 5 and 6, as switch sets
  variants:: {
    dm2s2: {},
    encoder_only: { use_intra: false, use_inter: false },
    intra_only: { use_inter: false },
    inter_only: { use_intra: false },
    scaled_dot_product: { similarity: 'scaled_dot_product' },
    no_residual: { residual: false },
  },
}
