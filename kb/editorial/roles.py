"""The editorial roles (编辑, 审核, 培训师) and the review workflow every page goes through.

`ensure_roles()` creates what is missing and never removes anything an administrator added. It
works on the real models and on a migration's historical ones, so it runs in two places:
- the migration `editorial.0001_roles`, which creates the groups, their permissions and the
  workflow on any database, and
- `kb.core.site_structure.ensure_site_structure()`, which creates the home and index pages (often
  after the migrations, e.g. from `load_demo_content`) and then calls it again, so the page
  permissions and the workflow attach to pages that did not exist when the migration ran.

Roles:
- 编辑 (editors): create and edit cases, policies and principles, and submit them for review;
  they cannot publish. They keep the vocabularies tidy (add/change, not delete) and upload and
  use images and documents.
- 审核 (moderators): approve (which publishes) or reject submissions with a comment; create,
  edit, publish, unpublish, schedule and lock any page of the site, courses included; delete
  vocabulary terms, library modules, images and documents.
- 培训师 (trainers): create and edit courses and the course module library, and submit courses
  for review; they cannot touch cases, policies or principles, nor publish.
"""

from django.apps import apps as global_apps

EDITORS = "编辑"
MODERATORS = "审核"
TRAINERS = "培训师"
ROLE_NAMES = (EDITORS, MODERATORS, TRAINERS)

WORKFLOW_NAME = "政策与案例审核"
TASK_NAME = "审核组审批"

VOCABULARY_MODELS = (
    "issue", "actor", "method", "communitytype", "policylevel", "validity", "audience", "region",
)  # fmt: skip

# Page permissions, per group: (app label, model of the page they are given on) → actions.
# Wagtail page permissions apply to the page and everything below it. Each page type's index page
# declares its groups' actions (`group_permissions`, read through kb.core.page_types); moderators
# get theirs on the home page, so on the whole site.
MODERATOR_HOME_ACTIONS = ("add", "change", "publish", "lock", "unlock")


def page_permissions():
    """Group name → {(app label, model name): actions}, from the page-type registry."""
    from kb.core.page_types import page_types

    permissions = {name: {} for name in ROLE_NAMES}
    permissions[MODERATORS][("core", "homepage")] = MODERATOR_HOME_ACTIONS
    for page_type in page_types():
        meta = page_type.index_model._meta
        for group, actions in page_type.group_permissions.items():
            permissions[group][(meta.app_label, meta.model_name)] = tuple(actions)
    return permissions


ADMIN_ACCESS = ("wagtailadmin", "admin", "access_admin")
# Model permissions, per group: (app label, model, codename). `required` ones are created if the
# migrations have not made them yet; `optional` ones are added only when their model exists
# (the course module library belongs to another app, and may be migrated later).
MODEL_PERMISSIONS = {
    EDITORS: [ADMIN_ACCESS]
    + [("vocabularies", m, f"{a}_{m}") for m in VOCABULARY_MODELS for a in ("add", "change", "view")],
    MODERATORS: [ADMIN_ACCESS]
    + [
        ("vocabularies", m, f"{a}_{m}")
        for m in VOCABULARY_MODELS
        for a in ("add", "change", "delete", "view")
    ],
    TRAINERS: [ADMIN_ACCESS] + [("vocabularies", m, f"view_{m}") for m in VOCABULARY_MODELS],
}
OPTIONAL_MODEL_PERMISSIONS = {
    EDITORS: [],
    MODERATORS: [
        ("courses", "moduletemplate", f"{a}_moduletemplate") for a in ("add", "change", "delete", "view")
    ]
    # Public case contributions (kb/contributions): their contact details and 其他 values.
    + [("contributions", "contribution", f"{a}_contribution") for a in ("change", "view")],
    TRAINERS: [("courses", "moduletemplate", f"{a}_moduletemplate") for a in ("add", "change", "view")],
}
# Image and document permissions on the root collection (so on every collection).
_MEDIA_USE = [
    ("wagtailimages", "image", "add_image"),
    ("wagtailimages", "image", "change_image"),
    ("wagtailimages", "image", "choose_image"),
    ("wagtaildocs", "document", "add_document"),
    ("wagtaildocs", "document", "change_document"),
    ("wagtaildocs", "document", "choose_document"),
]
COLLECTION_PERMISSIONS = {
    EDITORS: _MEDIA_USE,
    MODERATORS: _MEDIA_USE
    + [("wagtailimages", "image", "delete_image"), ("wagtaildocs", "document", "delete_document")],
    TRAINERS: _MEDIA_USE,
}


def _permission(apps, app_label, model_name, codename, create):
    """The Permission row, created (with its content type) if `create`; None if unavailable."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return None
    if create:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model_name)
    else:
        content_type = ContentType.objects.filter(app_label=app_label, model=model_name).first()
        if content_type is None:
            return None
    permission = Permission.objects.filter(content_type=content_type, codename=codename).first()
    if permission is None and create:
        names = dict(model._meta.permissions)
        action = codename.split("_", 1)[0]
        name = names.get(codename, f"Can {action} {model._meta.verbose_name_raw}")
        permission = Permission.objects.create(content_type=content_type, codename=codename, name=name)
    return permission


def _permissions(apps, specs, create):
    """{spec: Permission} for (app label, model, codename) specs, in one query when they exist."""
    Permission = apps.get_model("auth", "Permission")
    specs = set(specs)
    existing = Permission.objects.filter(codename__in={codename for _, _, codename in specs}).values_list(
        "content_type__app_label", "content_type__model", "codename", "pk"
    )
    found = {(app_label, model, codename): pk for app_label, model, codename, pk in existing}
    by_pk = Permission.objects.in_bulk([found[spec] for spec in specs if spec in found])
    result = {spec: by_pk[found[spec]] for spec in specs if spec in found}
    for spec in specs - set(result):
        permission = _permission(apps, *spec, create=create)
        if permission is not None:
            result[spec] = permission
    return result


def _page_of_type(apps, app_label, model_name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    content_type = ContentType.objects.filter(app_label=app_label, model=model_name).first()
    if content_type is None:
        return None
    return Page.objects.filter(content_type=content_type).order_by("path").first()


def ensure_roles(apps=global_apps):
    """Create the three groups, their permissions and the review workflow where missing.

    Idempotent. Page permissions and the workflow attach to the pages that exist; call again once
    the index pages are created. Returns the groups by name.
    """
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Collection = apps.get_model("wagtailcore", "Collection")

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLE_NAMES}
    permissions_by_group = page_permissions()
    page_actions = {
        action for pages in permissions_by_group.values() for actions in pages.values() for action in actions
    }
    required = _permissions(
        apps,
        [spec for name in ROLE_NAMES for spec in MODEL_PERMISSIONS[name] + COLLECTION_PERMISSIONS[name]]
        + [("wagtailcore", "page", f"{action}_page") for action in page_actions],
        create=True,
    )
    optional = _permissions(
        apps, [spec for name in ROLE_NAMES for spec in OPTIONAL_MODEL_PERMISSIONS[name]], create=False
    )
    pages = {
        key: _page_of_type(apps, *key) for group_pages in permissions_by_group.values() for key in group_pages
    }
    root_collection = Collection.objects.filter(depth=1).first()

    for name, group in groups.items():
        wanted = [required[spec] for spec in MODEL_PERMISSIONS[name]]
        wanted += [optional[spec] for spec in OPTIONAL_MODEL_PERMISSIONS[name] if spec in optional]
        group.permissions.add(*wanted)

        for key, actions in permissions_by_group[name].items():
            if pages[key] is None:
                continue  # created later by ensure_site_structure(), which calls this again
            for action in actions:
                GroupPagePermission.objects.get_or_create(
                    group=group,
                    page=pages[key],
                    permission=required[("wagtailcore", "page", f"{action}_page")],
                )

        if root_collection is not None:
            for spec in COLLECTION_PERMISSIONS[name]:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=required[spec]
                )

    _ensure_workflow(apps, groups[MODERATORS])
    return groups


def _ensure_workflow(apps, moderators):
    """The workflow 政策与案例审核 (one task: 审核 approves), attached to the home page."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        content_type, _ = ContentType.objects.get_or_create(
            app_label="wagtailcore", model="groupapprovaltask"
        )
        task = GroupApprovalTask.objects.create(name=TASK_NAME, content_type=content_type, active=True)
    task.groups.add(moderators)

    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)

    home = _page_of_type(apps, "core", "homepage")
    # An administrator may have put another workflow on the home page since: theirs stays.
    if home is not None and not WorkflowPage.objects.filter(page=home).exists():
        WorkflowPage.objects.create(workflow=workflow, page=home)
    return workflow


def remove_roles(apps=global_apps):
    """Undo ensure_roles(): delete the groups (and so their permissions) and the workflow.

    A workflow or task with moderation history is deactivated and detached instead of deleted,
    so the history of the pages it reviewed is kept.
    """
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    Task = apps.get_model("wagtailcore", "Task")

    Group.objects.filter(name__in=ROLE_NAMES).delete()
    for workflow in Workflow.objects.filter(name=WORKFLOW_NAME):
        WorkflowPage.objects.filter(workflow=workflow).delete()
        if WorkflowState.objects.filter(workflow=workflow).exists():
            Workflow.objects.filter(pk=workflow.pk).update(active=False)
        else:
            workflow.delete()
    for task in Task.objects.filter(name=TASK_NAME):
        if TaskState.objects.filter(task=task).exists():
            Task.objects.filter(pk=task.pk).update(active=False)
        else:
            task.delete()
