"""The incident process as data: workflow files, repository config, issue forms.

load_preset("openverse") -> Workflow          # workflows/openverse.yml, cached
resolve_config(files, owner, repo) -> RepoConfig   # .github/incidents.yml, Probot-style
form_facts(issue_body, workflow) -> FormFacts  # what the issue form said
"""

from app.workflow.config import CONFIG_PATH, RepoConfig, missing_file, resolve_config
from app.workflow.errors import ConfigError, WorkflowError
from app.workflow.forms import FormFacts, checked_boxes, form_facts, form_headings, parse_form
from app.workflow.loader import (
    default_workflow,
    load_preset,
    load_workflow_file,
    load_workflow_text,
    preset_names,
)
from app.workflow.model import (
    FollowupPolicy,
    FormFields,
    LabelSpec,
    LeadPolicy,
    Reminders,
    Role,
    Rotation,
    SecurityPolicy,
    Severity,
    Status,
    Workflow,
)

__all__ = [
    "CONFIG_PATH",
    "ConfigError",
    "FollowupPolicy",
    "FormFacts",
    "FormFields",
    "LabelSpec",
    "LeadPolicy",
    "Reminders",
    "RepoConfig",
    "Role",
    "Rotation",
    "SecurityPolicy",
    "Severity",
    "Status",
    "Workflow",
    "WorkflowError",
    "checked_boxes",
    "default_workflow",
    "form_facts",
    "form_headings",
    "load_preset",
    "load_workflow_file",
    "load_workflow_text",
    "missing_file",
    "parse_form",
    "preset_names",
    "resolve_config",
]
