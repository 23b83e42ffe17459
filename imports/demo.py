"""Demo imports for the partnership admin: a committed file of people from a legacy
spreadsheet (so the workspace has a batch to show and roll back) and a second file
uploaded and checked, with a row error to correct.

Everything goes through the services. Idempotent: nothing is added when the partnership
already has an import batch."""

from accounts.roles import Role
from config.jobs import JobStatus
from imports import services
from imports.models import ImportBatch

SOURCE = "Legacy SPS spreadsheet"
COMMITTED = (
    "Person ID,Forename,Surname,DOB,Sex\n"
    "L-0001,Harriet,Okafor,14/02/1979,F\n"
    "L-0002,Darren,Pike,03/09/1971,M\n"
    "L-0003,Megan,Ellis,22/11/1990,F\n"
)
WITH_ERRORS = (
    "Person ID,Forename,Surname,DOB,Sex\n"
    "L-0004,Yusuf,Haddad,1985-07-30,M\n"
    "L-0005,,Carver,31/02/1983,F\n"
)
GENDERS = {"gender": {"F": "female", "M": "male"}}


def _checked(admin, text, name):
    batch = services.batch_upload(
        actor=admin.user,
        membership=admin,
        kind="people",
        source_system=SOURCE,
        data=text.encode(),
        name=name,
    )
    batch = services.batch_map(
        actor=admin.user,
        membership=admin,
        batch=batch,
        columns=batch.columns,
        values=GENDERS,
        save_as="Legacy people" if name == "legacy-people.csv" else "",
    )
    return services.batch_check(actor=admin.user, membership=admin, batch=batch)


def seed(*, partnership, agencies, members):
    admin = members.get(Role.PARTNERSHIP_ADMIN)
    if admin is None or ImportBatch.objects.filter(partnership=partnership).exists():
        return
    batch = _checked(admin, COMMITTED, "legacy-people.csv")
    # The commit job's own function, in this process: the demo does not need a worker.
    ImportBatch.objects.filter(pk=batch.pk).update(status=JobStatus.RUNNING, task_id="demo")
    services.batch_commit_run(batch_id=batch.pk, token=None)
    ImportBatch.objects.filter(pk=batch.pk).update(status=JobStatus.SUCCEEDED)
    _checked(admin, WITH_ERRORS, "legacy-people-more.csv")
