"""The admin form of a case: a new case starts with the standard sections in place."""

from kb.core.forms import KnowledgePageForm

from .blocks import CASE_SECTIONS


class CasePageForm(KnowledgePageForm):
    def __init__(self, data=None, *args, **kwargs):
        # The same headings in every case let readers compare cases step by step; an editor fills
        # in the ones the story has (an empty section is not shown) instead of recalling the list.
        # Given as the form's initial value: the admin reads the fields while the form is built.
        instance = kwargs.get("instance")
        if data is None and instance is not None and instance._state.adding and not instance.body:
            block = type(instance)._meta.get_field("body").stream_block
            kwargs["initial"] = {
                **(kwargs.get("initial") or {}),
                "body": block.to_python(
                    [
                        {"type": "section", "value": {"kind": key, "heading": "", "content": ""}}
                        for key, _ in CASE_SECTIONS
                    ]
                ),
            }
        super().__init__(data, *args, **kwargs)
