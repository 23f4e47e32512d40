"""The import rules of courses: objectives, modules (and the module library) and the timetable."""

from kb.importing.problems import Problem, shown, type_name
from kb.importing.rules import LINK_KEYS, TypeRules
from kb.vocabularies.models import Method

from .models import CourseModule, ModuleTemplate, text_lines
from .timetable import Rules as TimetableRules
from .timetable import as_time, parse_time

MODULE_KEYS = {"title", "minutes", "objectives", "activity", "method", "cases", "principles", "policies"} | {
    "exercise_minutes",
    "questions",
    "key_points",
    "instructor_notes",
    "library",
}
# Course `timetable` keys → (CoursePage field, kind, default).
TIMETABLE_KEYS = {
    "day_start": ("day_start", "time", "09:00"),
    "day_end": ("day_end", "time", "17:00"),
    "lunch_start": ("lunch_start", "time", "12:00"),
    "lunch_minutes": ("lunch_minutes", "minutes", 60),
    "break_minutes": ("break_minutes", "minutes", 15),
    "break_after_minutes": ("break_after_minutes", "minutes", 90),
    "days": ("planned_days", "days", None),
}


class CourseRules(TypeRules):
    keys = frozenset(
        {"issues", "actors", "methods", "audience", "duration_hours", "objectives", "prerequisites"}
        | {"modules", "timetable"}
    )
    references = {
        "principles": ("principle", "principles"),
        "policies": ("policy", "policies"),
        "cases": ("case", "cases"),
    }

    def validate(self, validator, plan):
        plan.fields["objectives"] = "\n".join(validator.string_list("objectives"))
        plan.fields["prerequisites"] = validator.text("prerequisites")
        modules_out = plan.extra["modules"] = []
        modules = validator.meta.get("modules") or []
        if not isinstance(modules, list):
            validator.problem("modules", "应为单元列表。")
            modules = []
        for position, module in enumerate(modules, start=1):
            where = f"modules[{position}]"
            if not isinstance(module, dict):
                validator.problem(where, "每个单元应为映射（title、minutes、objectives、activity …）。")
                continue
            for key in module:
                if key not in MODULE_KEYS:
                    validator.problem(
                        f"{where}.{key}", f"不认识的键，可用：{', '.join(sorted(MODULE_KEYS))}。"
                    )
            title = module.get("title")
            if title not in (None, "") and not isinstance(title, str):
                validator.problem(f"{where}.title", validator.not_text(title))
                title = ""
            elif not isinstance(title, str) or not title.strip():
                validator.problem(f"{where}.title", "必填。")
            minutes = validator.integer(
                None, 1, 24 * 60, value=module.get("minutes"), where=f"{where}.minutes"
            )
            if module.get("minutes") in (None, ""):
                validator.problem(f"{where}.minutes", "必填（整数分钟）。")
            method = module.get("method")
            if method not in (None, "") and not isinstance(method, str):
                validator.problem(f"{where}.method", validator.not_text(method))
                method = None
            elif method not in (None, ""):
                method = validator.term("method", method.strip(), f"{where}.method")
            activity = module.get("activity") or ""
            if not isinstance(activity, str):
                validator.problem(f"{where}.activity", "应为文本。")
                activity = ""
            notes = module.get("instructor_notes") or ""
            if not isinstance(notes, str):
                validator.problem(f"{where}.instructor_notes", "应为文本。")
                notes = ""
            exercise = validator.integer(
                None, 0, 24 * 60, value=module.get("exercise_minutes"), where=f"{where}.exercise_minutes"
            )
            if exercise and minutes and exercise > minutes:
                validator.problem(
                    f"{where}.exercise_minutes", f"练习 {exercise} 分钟超过了单元时长 {minutes} 分钟。"
                )
            library = module.get("library", False)
            if not isinstance(library, bool):
                validator.problem(f"{where}.library", "应为 true 或 false。")
                library = False
            modules_out.append(
                {
                    "title": str(title or "").strip()[:200],
                    "minutes": minutes or 0,
                    "objectives": "\n".join(
                        validator.string_list(None, module.get("objectives") or [], f"{where}.objectives")
                    ),
                    "activity": activity.strip(),
                    "method": method or None,
                    "exercise_minutes": exercise or 0,
                    "questions": "\n".join(
                        validator.string_list(None, module.get("questions") or [], f"{where}.questions")
                    ),
                    "key_points": "\n".join(
                        validator.string_list(None, module.get("key_points") or [], f"{where}.key_points")
                    ),
                    "instructor_notes": notes.strip(),
                    "library": library,
                    "references": {
                        key: [
                            (target_type, ref, f"{where}.{key}")
                            for ref in validator.string_list(None, module.get(key) or [], f"{where}.{key}")
                        ]
                        for key, target_type in LINK_KEYS.items()
                    },
                }
            )
        library_titles = [module["title"] for module in modules_out if module["library"]]
        for title in {t for t in library_titles if library_titles.count(t) > 1}:
            validator.problem(
                "modules", f"有多个单元名为“{title}”并标了 library: true，模块库中的名称不能重复。"
            )
        self.validate_timetable(validator, plan)
        total = sum(module["minutes"] for module in modules_out)
        hours = validator.meta.get("duration_hours")
        if hours not in (None, ""):
            if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours <= 0:
                validator.problem("duration_hours", f"应为正数（小时），而不是“{shown(hours)}”。")
            elif abs(hours * 60 - total) > 0.5:
                validator.problem(
                    "duration_hours",
                    f"写的是 {hours} 小时，但各单元合计 {total} 分钟（{total / 60:g} 小时）。",
                )

    def validate_timetable(self, validator, plan):
        given = validator.meta.get("timetable") or {}
        if not isinstance(given, dict):
            validator.problem("timetable", f"应为映射：{', '.join(TIMETABLE_KEYS)}。")
            given = {}
        for key in given:
            if key not in TIMETABLE_KEYS:
                validator.problem(f"timetable.{key}", f"不认识的键，可用：{', '.join(TIMETABLE_KEYS)}。")
        values = {}
        for key, (model_field, kind, default) in TIMETABLE_KEYS.items():
            value = given.get(key, default)
            where = f"timetable.{key}"
            if isinstance(value, (list, dict)):
                validator.problem(
                    where, f"应为{'时间，如 09:00' if kind == 'time' else '整数'}，而不是{type_name(value)}。"
                )
                continue
            if kind == "time":
                try:
                    # YAML reads an unquoted 9:00 as the number 540 (minutes): parse_time accepts both.
                    minutes = parse_time(value)
                except ValueError as error:
                    validator.problem(where, str(error))
                    continue
                values[key] = minutes
                plan.fields[model_field] = as_time(minutes) if minutes is not None else None
            else:
                number = validator.integer(
                    None, 0 if kind == "minutes" else 1, 24 * 60, value=value, where=where
                )
                values[key] = number
                plan.fields[model_field] = number if number is not None else default
        for key in ("day_start", "day_end"):
            if key in values and values[key] is None:
                validator.problem(f"timetable.{key}", "不能为空。")
        if values.get("day_start") is None or values.get("day_end") is None:
            return
        try:
            TimetableRules(
                day_start=values["day_start"],
                day_end=values["day_end"],
                lunch_start=values.get("lunch_start"),
                lunch_minutes=values.get("lunch_minutes") or 0,
                break_minutes=values.get("break_minutes") or 0,
                break_after=values.get("break_after_minutes") or 0,
            )
        except ValueError as error:
            validator.problem("timetable", str(error))
        lunch = values.get("lunch_start")
        if lunch is not None and not values["day_start"] <= lunch < values["day_end"]:
            validator.problem("timetable.lunch_start", "午餐时间应在每天开始和结束时间之间。")

    def more_references(self, plan):
        return [
            ref
            for module in plan.extra.get("modules", [])
            for refs in module["references"].values()
            for ref in refs
        ]

    def check_run(self, plans):
        """Two files may not both put a module of the same title into the library."""
        problems, library_titles = [], {}
        for plan in plans:
            for position, module in enumerate(plan.extra.get("modules", []), start=1):
                if module["library"]:
                    other = library_titles.setdefault(module["title"], plan)
                    if other is not plan:
                        problems.append(
                            Problem(
                                plan.file,
                                f"modules[{position}].library",
                                f"{other.file} 也把“{module['title']}”存入模块库；模块库中的名称不能重复。",
                            )
                        )
        return problems

    def fill(self, writer, plan, page):
        methods = {
            method.name: method
            for method in Method.objects.filter(
                name__in=[data["method"] for data in plan.extra["modules"] if data["method"]]
            )
        }
        modules = []
        for position, data in enumerate(plan.extra["modules"]):
            module = CourseModule(
                sort_order=position,
                title=data["title"],
                minutes=data["minutes"],
                exercise_minutes=data["exercise_minutes"],
                questions=data["questions"],
                objectives=data["objectives"],
                key_points=data["key_points"],
                activity=data["activity"],
                instructor_notes=data["instructor_notes"],
                method=methods.get(data["method"]) if data["method"] else None,
            )
            for key in LINK_KEYS:
                setattr(module, key, writer.resolve_all(data["references"][key]))
            if data["library"]:
                # The file is the source of truth: the library copy follows it on every import.
                template = ModuleTemplate.objects.filter(title=module.title).first() or ModuleTemplate()
                module.copy_content_to(template)
                template.save()
                module.library_module = template
            modules.append(module)
        page.modules = modules

    def export(self, exporter, page):
        meta = {}
        objectives = text_lines(page.objectives)
        if objectives:
            meta["objectives"] = objectives
        if page.prerequisites:
            meta["prerequisites"] = page.prerequisites
        modules = [self.export_module(exporter, module) for module in page.modules.all()]
        if modules:
            meta["modules"] = modules
        timetable = {}
        for key, (model_field, kind, default) in TIMETABLE_KEYS.items():
            value = getattr(page, model_field)
            if kind == "time" and value is not None:
                value = value.strftime("%H:%M")
            if value is not None and value != default:
                timetable[key] = value
        if timetable:
            meta["timetable"] = timetable
        return meta

    @staticmethod
    def export_module(exporter, module):
        data = {"title": module.title, "minutes": module.minutes}
        if module.exercise_minutes:
            data["exercise_minutes"] = module.exercise_minutes
        for key in ("questions", "objectives", "key_points"):
            lines = text_lines(getattr(module, key))
            if lines:
                data[key] = lines
        for key in ("activity", "instructor_notes"):
            if getattr(module, key):
                data[key] = getattr(module, key)
        if module.method is not None:
            data["method"] = module.method.name
        for key in LINK_KEYS:
            slugs = exporter.slugs(getattr(module, key).all())
            if slugs:
                data[key] = slugs
        return data

    def export_queryset(self, queryset):
        return (
            super()
            .export_queryset(queryset)
            .prefetch_related(
                "modules__method", "modules__cases", "modules__principles", "modules__policies",
                "modules__materials",
            )
        )  # fmt: skip

    def export_losses(self, page):
        losses = []
        materials = sum(len(module.materials.all()) for module in page.modules.all())
        if materials:
            losses.append(f"{materials} 份单元材料")
        if any(module.library_module_id for module in page.modules.all()):
            losses.append("与模块库的关联")
        return losses
