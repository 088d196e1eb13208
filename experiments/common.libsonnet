// Shared parts of the paper's experiments (DM2S2, IEEE Access 2022, Section IV-C). Each data set's .libsonnet holds
// its settings (encoder, data locations, epochs, batch size) as `local` variables at its top; change them there, or
// override the config's keys at the command line with `-o` (README, "Reproducing the paper's tables").
{
  // A model on the reader's data: the frozen encoder (eval mode, states cached), the task head, the family's shared
  // keys (`extra`), then the variant's own keys (DM2S2's ablation switches, or a baseline's type and paper
  // settings). The modalities, the encoder's name and max_length are the reader's: the model takes them from it.
  model(head, variant={}, extra={}, amp=false):: {
    type: 'dm2s2',
    encoder: {
      type: 'cached',  // the frozen encoder's states, computed once per record (encoders/cached.py)
      transformer: {
        type: 'pretrained_transformer',
        train_parameters: false,
        // amp: the frozen encoder runs in bfloat16 on CUDA; the small trainable part stays in float32, so
        // AllenNLP's fp16 AMP and its loss scaling are not needed
        autocast: if amp then 'bfloat16' else null,
      },
    },
    head: head,
  } + extra + variant,
  // Adam with decoupled weight decay; lr warmed up linearly from 0 to 1e-3 over 5 epochs, then cosine annealing.
  // No cuda_device: AllenNLP takes GPU 0 when there is one, else the CPU.
  trainer(validation_metric, epochs):: {
    optimizer: { type: 'adamw', lr: 1e-3, weight_decay: 0.01 },
    learning_rate_scheduler: { type: 'warmup_cosine', warmup_epochs: 5 },
    num_epochs: epochs,
    validation_metric: validation_metric,
    use_amp: false,
    callbacks: $.callbacks,
    checkpointer: { type: 'atomic' },  // no truncated checkpoint on a full disk or a kill
  },
  // the head learns its class weights / target scaling from the training data; the cache is written each epoch;
  // a non-finite loss stops training naming the batch's records
  callbacks:: [{ type: 'fit_to_data' }, { type: 'stack_and_tune' }, { type: 'flush_encoder_cache' }],
  // batches of similar unified-sequence length (little padding)
  data_loader(batch_size):: { batch_sampler: { type: 'token_bucket', batch_size: batch_size } },
  validation_data_loader(batch_size):: {
    batch_sampler: { type: 'token_bucket', batch_size: batch_size, shuffle: false },
  },
  // the ablation variants of Tables 3, 5 and 6, as switch sets, and the baselines of Tables 1, 2 and 4
  // missing_modality_scores 'literal': Eq. 12-13 as printed (a missing modality's empty sum stays in the softmax)
  local dm2s2 = { type: 'dm2s2', use_intra: true, use_inter: true, residual: true, similarity: 'additive',
                  pooling: 'mean', missing_modality_scores: 'literal' },
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
    // Deep Multi-Modal Sets (paper 001): a text's vector is BERT's first output of the final layer ([CLS] of the
    // modality's own sequence, 001 Section 4.2); each family sets D (`set_dim`), psi, rho and the class weights
    dmms: { type: 'dmms', set_pooling: 'max', phi_dropout: 0.25, prior: 0.01, encoder_pooling: 'cls' },
    // the modality-attention merger with the KL regulariser (paper 003): a linear classifier on the merged vectors.
    // 003 fine-tunes its BERT (lr 5e-5, warm-up + cosine); here the encoder stays frozen and shared with every other
    // row, so the tables compare fusions (fine-tune it with encoder: {type: 'pretrained_transformer', train_parameters: true, ...} and an optimizer
    // parameter group {lr: 5e-5} for the encoder). lambda: 003 searched {0, 1e-4, 5e-4, ..., 0.5} and used 5e-4 on
    // MM-IMDB (its Table 4); it gives none for Ads-Parallelity or Ad-LP, where 0.01 is kept.
    modality_attention_merger: { type: 'modality_attention_merger', kl_weight: 0.01, encoder_pooling: 'sum',
                                 mlp: { hidden_dims: [], dropout: 0.0 } },
    // the multimodal autoencoder + attention branches (paper 004): per modality 512-64 encoders and 64-512 decoders
    // ("512-64-64-512"), one softmax/linear layer on h = [v_hat_1..M, h_mm] (Eq. 10, of size M m + M k: Eq. 9's
    // "concatenate every v_hat_i" does not add the v_i), trained with RMSprop at 1e-3 (004 Section 4)
    mmae: { type: 'mmae', code_dim: 64, autoencoder_hidden_dim: 512, reconstruction_loss_weight: 1.0,
            mlp: { hidden_dims: [], dropout: 0.0 } },
    // plain mid-fusion: per-modality vectors concatenated into an MLP
    concat_fusion: { type: 'concat_fusion' },
  },
  // the trainer keys a variant changes: MMAE's paper trains with RMSprop at 1e-3, without a warm-up schedule
  trainer_of(variant):: if variant == 'mmae' then {
    optimizer: { type: 'rmsprop', lr: 1e-3 },
    learning_rate_scheduler: null,
  } else {},
  baselines:: ['encoder_only_modality_embeddings', 'dmms', 'modality_attention_merger', 'mmae', 'concat_fusion'],
}
