"""What a client folder asks of its questionnaire forms: the client's name, segment values and questionnaire.

Kept apart from ``forms`` (which knows templates, not client folders) so that forms and the
importers built on them stay to the left of client folders; ``cxassess form --client`` calls it.
"""

from __future__ import annotations

import os

from ..core.errors import CxError, Problem
from .clients import CLIENT_FILE, ClientConfig, current_template
from .templates import Template, load_template
from .yamlfile import line_of
from .yamlschema import validate_yaml_with_lines


def client_form_settings(path: str | os.PathLike, template: Template | None = None
                         ) -> tuple[str, dict[str, list[str]], Template]:
    """A client's name, the segment values its questionnaire forms offer (``segments:`` in client.yaml) and its
    questionnaire.

    ``template`` (default: the client's own) must be the questionnaire the client's current wave uses,
    and client.yaml must name only its segments.
    """
    folder, file = current_template(path)
    config_file = folder / CLIENT_FILE
    config, node = validate_yaml_with_lines(config_file, ClientConfig)
    own = load_template(file)
    template = template or own
    problems = []
    if template != own:
        given = f"not {template.id!r}" if template.id != own.id else "which differs from the template given"
        problems.append(Problem(str(config_file), f"this client uses template {own.id!r}, {given} (its questionnaire "
                                f"is {file}); make the form with the client's questionnaire: leave TEMPLATE out",
                                line_of(node, ("template",))))
    for segment_id in config.segments:
        if segment_id not in template.segment_ids:
            problems.append(Problem(str(config_file), f"segments: {segment_id!r} is not a segment of template "
                                    f"{template.id!r} ({', '.join(template.segment_ids) or 'none'})",
                                    line_of(node, ("segments", segment_id))))
    if problems:
        raise CxError(problems)
    return config.name, {k: list(v) for k, v in config.segments.items()}, template
