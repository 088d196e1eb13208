"""``token_bucket``: batches of records with similar unified-sequence lengths, so little of a batch is padding.

AllenNLP's ``bucket`` sampler sorts by ``len(field)``, which for the ``modalities`` ``ListField`` is the number of
modalities (the same for every record), so it cannot bucket these records. This sampler sorts by the real length of
the unified sequence, ``sum of the modality lengths + M + 1``, with a little noise (``padding_noise``, relative) so
that batches differ between epochs, cuts the sorted order into batches and shuffles the batches. Without a ``seed``
its random numbers come from Python's ``random``, which AllenNLP seeds with the config's ``random_seed`` before it
builds the data loaders: a run is repeatable, as with AllenNLP's own samplers.
"""
import math
import random
from typing import Iterable, List, Optional, Sequence

from allennlp.data import Instance
from allennlp.data.samplers import BatchSampler


@BatchSampler.register("token_bucket")
class TokenBucketBatchSampler(BatchSampler):
    def __init__(self, batch_size: int, padding_noise: float = 0.1, shuffle: bool = True,
                 drop_last: bool = False, seed: Optional[int] = None) -> None:
        self.batch_size = batch_size
        self.padding_noise = padding_noise
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.rng = random.Random(seed if seed is not None else random.getrandbits(64))

    @staticmethod
    def unified_length(instance: Instance) -> int:
        fields = instance["modalities"].field_list
        return sum(len(f.tokens) for f in fields) + len(fields) + 1

    def get_batch_indices(self, instances: Sequence[Instance]) -> Iterable[List[int]]:
        def noisy(i: int) -> float:
            length = self.unified_length(instances[i])
            return length * (1 + self.rng.uniform(-self.padding_noise, self.padding_noise)) if self.shuffle else length

        order = sorted(range(len(instances)), key=noisy)
        batches = [order[i:i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        if self.drop_last and batches and len(batches[-1]) < self.batch_size:
            batches.pop()
        if self.shuffle:
            self.rng.shuffle(batches)
        return batches

    def get_num_batches(self, instances: Sequence[Instance]) -> int:
        count = len(instances) / self.batch_size
        return math.floor(count) if self.drop_last else math.ceil(count)

    def get_batch_size(self) -> Optional[int]:
        return self.batch_size
