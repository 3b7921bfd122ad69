"""Evidence pictures for the demo, drawn with Pillow (nothing is downloaded):
simple scenes of a compound before and after the work, captioned in Chinese,
and a one-page acceptance form saved as PDF."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
W, H = 960, 640
SKY, GROUND, WALL, WINDOW = (196, 222, 240), (150, 150, 140), (214, 204, 186), (120, 150, 180)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return out.getvalue()


def _caption(draw: ImageDraw.ImageDraw, title: str, note: str, colour: tuple[int, int, int]) -> None:
    draw.rectangle((0, 0, W, 86), fill=colour)
    draw.text((24, 10), title, font=_font(40), fill="white")
    draw.text((26, 56), note, font=_font(22), fill="white")


def _scene(ground: tuple[int, int, int] = GROUND) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (W, H), SKY)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 400, W, H), fill=ground)
    # A residential block behind.
    draw.rectangle((560, 110, 940, 400), fill=WALL, outline=(160, 150, 130), width=3)
    for row in range(5):
        for col in range(5):
            x, y = 580 + col * 72, 130 + row * 52
            draw.rectangle((x, y, x + 44, y + 32), fill=WINDOW)
    draw.text((700, 360), "3号楼", font=_font(26), fill=(90, 80, 60))
    return image, draw


def _bike(draw: ImageDraw.ImageDraw, x: int, y: int, colour: tuple[int, int, int], tilt: int = 0) -> None:
    draw.ellipse((x, y + tilt, x + 46, y + 46 + tilt), outline=(40, 40, 40), width=5)
    draw.ellipse((x + 80, y, x + 126, y + 46), outline=(40, 40, 40), width=5)
    draw.polygon(
        [(x + 23, y + 23 + tilt), (x + 62, y - 14), (x + 103, y + 23), (x + 62, y + 20)], outline=colour, width=7
    )
    draw.rectangle((x + 50, y - 26, x + 78, y - 14), fill=colour)


def shed_before(date_text: str) -> bytes:
    image, draw = _scene((160, 150, 130))
    for i, (x, y, tilt) in enumerate(((60, 470, 10), (200, 500, -8), (120, 560, 6), (330, 455, 0), (420, 540, 12))):
        _bike(draw, x, y, [(200, 40, 40), (40, 90, 170), (230, 150, 30), (60, 140, 60), (120, 60, 150)][i], tilt)
    # A cable hanging from a window: charging in the stairwell.
    draw.line((600, 300, 610, 420, 380, 470), fill=(30, 30, 30), width=4)
    draw.rectangle((40, 150, 400, 250), fill=(255, 240, 200), outline=(200, 60, 40), width=6)
    draw.text((60, 170), "飞线充电  危险！", font=_font(44), fill=(200, 40, 30))
    _caption(draw, "施工前", f"{date_text}  3号楼东侧空地：电动车乱停，楼道飞线充电", (150, 60, 50))
    return _jpeg(image)


def shed_after(date_text: str) -> bytes:
    image, draw = _scene((175, 175, 170))
    # The shed: a roof on posts, ten charging points.
    draw.polygon([(30, 300), (520, 270), (540, 320), (40, 350)], fill=(70, 110, 160))
    for x in (60, 200, 340, 490):
        draw.rectangle((x, 330, x + 12, 560), fill=(110, 110, 110))
    for i in range(10):
        x = 70 + i * 46
        draw.rectangle((x, 420, x + 26, 470), fill=(240, 240, 240), outline=(90, 90, 90), width=2)
        draw.ellipse((x + 8, 428, x + 18, 438), fill=(40, 180, 70))
    for i in range(4):
        _bike(draw, 70 + i * 115, 520, (40, 90, 170))
    draw.text((150, 280), "电动车集中充电棚", font=_font(28), fill="white")
    _caption(draw, "完工后", f"{date_text}  充电棚建成，10个充电位通电试运行", (40, 120, 70))
    return _jpeg(image)


def shed_at_night(date_text: str) -> bytes:
    image = Image.new("RGB", (W, H), (18, 22, 40))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 400, W, H), fill=(30, 30, 34))
    draw.polygon([(30, 300), (520, 270), (540, 320), (40, 350)], fill=(34, 44, 60))
    for i in range(10):
        x = 70 + i * 46
        draw.rectangle((x, 420, x + 26, 470), fill=(50, 50, 56))
    draw.ellipse((600, 80, 660, 140), fill=(235, 235, 200))
    _caption(draw, "夜间22:30", f"{date_text}  充电棚内一片漆黑，看不清插座", (60, 60, 90))
    return _jpeg(image)


def fire_lane_progress(date_text: str) -> bytes:
    image, draw = _scene((120, 120, 120))
    draw.polygon([(300, 400), (660, 400), (900, H), (60, H)], fill=(95, 95, 98))
    draw.line((300, 400, 60, H), fill=(240, 200, 20), width=12)
    draw.line((660, 400, 780, 520), fill=(240, 200, 20), width=12)  # the right line is half done
    for x, y in ((700, 470), (760, 540), (820, 600)):
        draw.polygon([(x, y - 60), (x - 24, y), (x + 24, y)], fill=(240, 110, 20))
    for i in range(3):
        draw.rectangle((80 + i * 60, 470 - i * 10, 130 + i * 60, 520 - i * 10), fill=(150, 110, 70))
    draw.text((340, 560), "消防通道 禁止占用", font=_font(34), fill="white")
    _caption(draw, "清理中", f"{date_text}  1、2号楼之间通道杂物已清走，3、4号楼段本周完成", (190, 120, 20))
    return _jpeg(image)


def parking_after(date_text: str) -> bytes:
    image = Image.new("RGB", (W, H), (190, 190, 185))
    draw = ImageDraw.Draw(image)
    for i in range(8):
        x = 40 + i * 110
        draw.rectangle((x, 200, x + 100, 560), outline="white", width=6)
        draw.text((x + 30, 360), f"{i + 1:02d}", font=_font(34), fill="white")
    draw.rectangle((0, 100, W, 190), fill=(160, 150, 140))
    draw.text((30, 120), "原煤房拆除后新增车位", font=_font(36), fill=(60, 50, 40))
    for x in (120, 500, 760):
        draw.rectangle((x, 575, x + 70, 600), fill=(120, 90, 60))  # rubble left behind
    _caption(draw, "完工", f"{date_text}  拆除闲置煤房，新增车位8个", (40, 110, 160))
    return _jpeg(image)


def acceptance_form_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page acceptance form (验收单), drawn and saved as PDF."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    draw.text((420, 120), title, font=_font(56), fill="black")
    y = 300
    for line in lines:
        draw.text((140, y), line, font=_font(34), fill="black")
        draw.line((140, y + 56, 1100, y + 56), fill=(180, 180, 180), width=2)
        y += 100
    draw.text((140, y + 80), "验收人（签字）：", font=_font(34), fill="black")
    draw.ellipse((820, y + 20, 1060, y + 260), outline=(200, 30, 30), width=8)
    draw.text((862, y + 120), "验收专用章", font=_font(32), fill=(200, 30, 30))
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=150)
    return out.getvalue()
