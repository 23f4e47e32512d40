"""Reading an import file's YAML front matter safely: bounded in size, depth and expansion.

`yaml.safe_load` still expands anchors and aliases, so a few hundred bytes ("billion laughs")
grow into gigabytes, and deep flow collections recurse until RecursionError. The loader here
refuses anchors, aliases and explicit tags while composing, before anything is constructed, caps
nesting, refuses duplicate and non-text keys, and runs only on front matter under a size limit.
"""

import yaml
from django.conf import settings
from django.template.defaultfilters import filesizeformat

DEFAULT_MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_YAML_DEPTH = 10  # the import format nests three levels (modules → module → list)


class FrontMatterError(ValueError):
    """The front matter cannot be read; the message (Chinese) says why and where."""


def max_front_matter_bytes():
    return getattr(settings, "KB_IMPORT_MAX_FRONT_MATTER_BYTES", DEFAULT_MAX_FRONT_MATTER_BYTES)


def _where(node_or_event):
    mark = getattr(node_or_event, "start_mark", None)
    # +2: the front matter starts on the file's second line, after the opening "---".
    return f"第 {mark.line + 2} 行：" if mark is not None else ""


class _Checks:
    """What the loaders below refuse: anchors, aliases, explicit tags, duplicate keys, deep nesting."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise FrontMatterError(f"{_where(event)}不允许使用 YAML 别名（*{event.anchor}）。")
        if getattr(event, "anchor", None) is not None:
            raise FrontMatterError(f"{_where(event)}不允许使用 YAML 锚点（&{event.anchor}）。")
        if getattr(event, "tag", None) is not None:
            raise FrontMatterError(f"{_where(event)}不允许使用 YAML 标签（{event.tag}）。")
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            self._depth += 1
            if self._depth > MAX_YAML_DEPTH:
                raise FrontMatterError(f"{_where(event)}嵌套超过 {MAX_YAML_DEPTH} 层。")
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                raise FrontMatterError(f"{_where(key_node)}键“{str(key_node.value)[:40]}”应为文本。")
            if key_node.value in seen:
                raise FrontMatterError(f"{_where(key_node)}键“{key_node.value[:40]}”重复出现。")
            seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


class FrontMatterLoader(_Checks, yaml.SafeLoader):
    """SafeLoader without anchors, aliases, explicit tags, duplicate keys, or deep nesting."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0


if yaml.__with_libyaml__:

    class FastFrontMatterLoader(
        _Checks,
        yaml.composer.Composer,
        yaml.cyaml.CParser,
        yaml.constructor.SafeConstructor,
        yaml.resolver.Resolver,
    ):
        """The same checks on libyaml's parser (several times faster than PyYAML's own): the nodes are
        still composed by PyYAML's Python composer, where the checks run."""

        def __init__(self, stream):
            yaml.cyaml.CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._depth = 0

    FAST_LOADER = FastFrontMatterLoader
else:
    FAST_LOADER = None


def _load(text):
    """The YAML through libyaml when it reads it; anything it refuses is read again by PyYAML's own
    parser, so a file gets the same value or the same error either way."""
    if FAST_LOADER is not None:
        try:
            return yaml.load(text, Loader=FAST_LOADER)
        except Exception:  # the pure-Python reading below decides what the file gets
            pass
    return yaml.load(text, Loader=FrontMatterLoader)


def load_front_matter(text):
    """The front matter as a dict, or FrontMatterError with a Chinese message (no file name)."""
    size = len(text.encode("utf-8"))
    limit = max_front_matter_bytes()
    if size > limit:
        raise FrontMatterError(f"YAML 头信息有 {filesizeformat(size)}，超过上限 {filesizeformat(limit)}。")
    try:
        meta = _load(text)
    except FrontMatterError:
        raise
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"（第 {mark.line + 2} 行）" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise FrontMatterError(f"YAML 头信息格式错误{where}：{problem}") from None
    except (ValueError, OverflowError, RecursionError) as error:
        # A value YAML recognises but Python cannot build: 2020-13-45, a 10,000-digit number.
        raise FrontMatterError(f"YAML 头信息中有无法读取的值：{str(error)[:200]}") from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise FrontMatterError("YAML 头信息必须是“键: 值”的映射。")
    return meta
