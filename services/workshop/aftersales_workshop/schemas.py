"""Workshop's input and output shapes."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate


class TeamIn(Schema):
    team_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    site_id = fields.String(required=True)
    name = fields.String(required=True)


class TechnicianIn(Schema):
    technician_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    site_id = fields.String(required=True)
    name = fields.String(required=True)
    team_id = fields.String(load_default=None, allow_none=True)
    skills = fields.List(fields.String(), load_default=list)
    grade = fields.String(load_default=None, allow_none=True)


class TechnicianOut(TechnicianIn):
    pass


class ReferenceDataIn(Schema):
    class Meta:
        unknown = RAISE

    group_id = fields.String(required=True)
    teams = fields.List(fields.Nested(TeamIn), load_default=list)
    technicians = fields.List(fields.Nested(TechnicianIn), load_default=list)
