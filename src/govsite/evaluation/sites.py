"""The SITES file of ``govsite evaluate``: CSV with header ``name,url,unit,category`` or YAML
(a list of such mappings, or ``{sites: [...]}``). Bad rows are errors naming the row."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

FIELDS = ("name", "url", "unit", "category")


@dataclass(frozen=True)
class SiteSpec:
    name: str
    url: str
    unit: str = ""
    category: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


class SitesFileError(ValueError):
    pass


def read_sites(path: str | Path) -> list[SiteSpec]:
    path = Path(path)
    if not path.is_file():
        raise SitesFileError(f"找不到站点文件：{path}")
    text = path.read_bytes().decode("utf-8-sig", errors="strict")
    if path.suffix.lower() in (".yaml", ".yml"):
        rows = _yaml_rows(text, path)
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
        if rows and set(FIELDS[:2]) - set(rows[0]):
            raise SitesFileError(f"{path}: 表头须包含 name,url（实际：{','.join(rows[0])}）")
    specs, errors, seen = [], [], set()
    for number, row in enumerate(rows, start=2):
        values = {key: str(row.get(key) or "").strip() for key in FIELDS}
        parts = urlsplit(values["url"])
        if not values["name"]:
            errors.append(f"第 {number} 行：name 不能为空")
        elif parts.scheme not in ("http", "https") or not parts.hostname:
            errors.append(f"第 {number} 行：url 须为 http(s) 网址（{values['url']!r}）")
        elif values["url"] in seen:
            errors.append(f"第 {number} 行：网址重复 {values['url']}")
        else:
            seen.add(values["url"])
            specs.append(SiteSpec(**values))
    if errors:
        raise SitesFileError(f"{path}：\n" + "\n".join(errors))
    if not specs:
        raise SitesFileError(f"{path}：没有站点")
    return specs


def _yaml_rows(text: str, path: Path) -> list[dict]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SitesFileError(f"{path}: YAML 格式错误：{exc}") from None
    if isinstance(data, dict):
        data = data.get("sites")
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise SitesFileError(f"{path}: 须为站点列表（每项含 name、url、unit、category）")
    return data
