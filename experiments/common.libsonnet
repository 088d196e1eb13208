// Shared parts of the paper's experiments (DM2S2, IEEE Access 2022, Section IV-C).
// Every data path and the encoder come from std.extVar; importing dm2s2_allennlp fills in the documented defaults
// (dm2s2_allennlp/defaults.py) and the environment overrides them.
local env(name) = std.extVar(name);
{
  env:: env,
  cuda_device:: std.parseInt(env('DM2S2_CUDA_DEVICE')),
  // a model over the data set's modalities: the shared keys, the family's head settings (`extra`), then the
  // variant's own keys (DM2S2's ablation switches, or a baseline's type and paper settings); `encoder` is frozen and
  // kept in eval mode
  model(modalities, task, encoder, variant={}, extra={}):: {
    type: 'dm2s2',
    modalities: modalities,
    task: task,
    transformer_model_name: encoder,
    train_parameters: false,
    max_length: 512,
    encoder_autocast: if env('DM2S2_AMP') == 'true' then 'bfloat16' else null,
  } + extra + variant,
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
  // the ablation variants of Tables 3, 5 and 6, as switch sets, and the baselines of Tables 1, 2 and 4
  local dm2s2 = { type: 'dm2s2', use_intra: true, use_inter: true, residual: true, similarity: 'additive',
                  pooling: 'mean' },
  variants:: {
    dm2s2: dm2s2,
    intra_only: dm2s2 + { use_inter: false },
    inter_only: dm2s2 + { use_intra: false },
    scaled_dot_product: dm2s2 + { similarity: 'scaled_dot_product' },
    no_residual: dm2s2 + { residual: false },
    // Table 3's "encoder only": the unified sequence, mean pooling, the MLP (DM2S2 without both MRAs)
    encoder_only: { type: 'encoder_only', pooling: 'mean' },
    // Tables 1-2's "RoBERTa encoder only" with token type (segment) ids per modality
    encoder_only_modality_embeddings: { type: 'encoder_only', pooling: 'mean', modality_embeddings: true },
    // Deep Multi-Modal Sets (paper 001); each family sets D (`set_dim`) and rho as 001 did for it
    dmms: { type: 'dmms', set_pooling: 'max', phi_dropout: 0.25, prior: 0.01, class_weighting: 'inverse_sqrt' },
    // the modality-attention merger with the KL regulariser (paper 003): a linear classifier on the merged vectors
    modality_attention_merger: { type: 'modality_attention_merger', kl_weight: 0.01, encoder_pooling: 'sum',
                                 mlp_hidden_dims: [] },
    // the multimodal autoencoder + attention branches (paper 004): one softmax/linear layer on [v_hat, h_mm]
    mmae: { type: 'mmae', code_dim: 64, reconstruction_loss_weight: 1.0, mlp_hidden_dims: [] },
    // plain mid-fusion: per-modality vectors concatenated into an MLP
    concat_fusion: { type: 'concat_fusion' },
  },
  baselines:: ['encoder_only_modality_embeddings', 'dmms', 'modality_attention_merger', 'mmae', 'concat_fusion'],
}
