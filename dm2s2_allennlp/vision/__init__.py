"""Images to tokens: per-image features in the Google Cloud Vision ``AnnotateImageResponse`` shape, which the
readers turn into modality tokens (``dataset_readers.cloud_vision``). Backends: ``local`` (Tesseract, OpenCV, an
ImageNet classifier; everything offline) and ``cloud-vision`` (the real API). The driver is ``extract``; the command
is ``allennlp extract-visual-features``. Nothing here is imported by the package itself: the backends' libraries are
the optional ``[vision]`` extra."""
