// MM-IMDB, DM2S2 with OCR text from tesseract (Table 1)
(import 'mmimdb.libsonnet').config('dm2s2', ocr='tesseract')
