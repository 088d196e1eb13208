"""Image files for the image-column tests: real photographs (scikit-image's astronaut has one face, the coffee cup
none), images of rendered text that OCR must read back, and broken files (missing, truncated, not an image)."""
import csv
from pathlib import Path
from typing import Dict, List, Sequence


def font(size: int):
    import matplotlib
    from PIL import ImageFont

    return ImageFont.truetype(matplotlib.get_data_path() + "/fonts/ttf/DejaVuSans-Bold.ttf", size)


def render_text(path: Path, text: str, size=(640, 200)) -> Path:
    """``text`` in large dark letters on a light picture, like an ad creative."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (245, 240, 225))
    ImageDraw.Draw(image).text((30, 60), text, font=font(56), fill=(20, 20, 60))
    image.save(path)
    return path


def photographs(folder: Path) -> Dict[str, Path]:
    from PIL import Image
    from skimage import data

    folder.mkdir(parents=True, exist_ok=True)
    paths = {"astronaut": folder / "astronaut.png", "coffee": folder / "coffee.jpg"}
    Image.fromarray(data.astronaut()).save(paths["astronaut"])
    Image.fromarray(data.coffee()).save(paths["coffee"])
    return paths


def broken(folder: Path) -> Dict[str, Path]:
    """A truncated JPEG and a text file named like an image."""
    from PIL import Image
    from skimage import data

    folder.mkdir(parents=True, exist_ok=True)
    whole = folder / "whole.jpg"
    Image.fromarray(data.chelsea()).save(whole)
    truncated = folder / "truncated.jpg"
    truncated.write_bytes(whole.read_bytes()[:2000])
    whole.unlink()
    fake = folder / "notes.png"
    fake.write_text("this is a note, not a picture")
    return {"truncated": truncated, "not_an_image": fake}


def write_csv(path: Path, header: Sequence[str], rows: List[Sequence]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
