// Ads-Parallelity, DM2S2 with OCR text from tesseract (Table 2)
(import 'ads_parallelity.libsonnet').config('dm2s2', ocr='tesseract')
