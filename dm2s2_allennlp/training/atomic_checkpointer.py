"""``atomic`` checkpointer: AllenNLP's ``Checkpointer`` whose two files per checkpoint (``model_state_e*_b*.th``,
``training_state_e*_b*.th``) are each written to a temporary file beside it and renamed into place (``os.replace``),
so a disk that fills up or a process killed while saving never leaves a truncated checkpoint for ``--recover`` (or
``best.th``, a link to it) to load: the write fails, the temporary file is removed, the previous checkpoint stands.
AllenNLP's own ``save_checkpoint`` then runs as usual (it skips files that exist) and prunes old checkpoints.
Config: ``trainer: {checkpointer: {type: "atomic"}}`` (every shipped config)."""
import os
import tempfile

import torch
from allennlp.training.checkpointer import Checkpointer


def atomic_save(value, path: str) -> None:
    """``torch.save(value, path)`` through a temporary file in the same folder and one rename."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            torch.save(value, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


@Checkpointer.register("atomic")
class AtomicCheckpointer(Checkpointer):
    def save_checkpoint(self, trainer) -> None:
        state = trainer.get_checkpoint_state() if self._serialization_dir is not None else None
        if state is not None:
            place = (state.trainer_state["epochs_completed"], state.trainer_state["batches_in_epoch_completed"])
            for path, value in ((self._model_state_path(*place), state.model_state),
                                (self._training_state_path(*place), state.trainer_state)):
                if not os.path.isfile(path):
                    atomic_save(value, path)
        super().save_checkpoint(trainer)
