"""Drives the running app through the Python client that openapi-python-client
generated from /openapi.json (package `maigie_client` on PYTHONPATH): register, create
a task, list it, complete it. Prints a JSON report; exits non-zero on any surprise.

    python smoke.py BASE_URL
"""

import json
import sys
import uuid

from maigie_client import AuthenticatedClient, Client
from maigie_client.api.auth import auth_register
from maigie_client.api.tasks import tasks_complete, tasks_create, tasks_list
from maigie_client.models import AuthResponse, CompletedTask, CreateTask, RegisterRequest, TaskPage, TaskView


def expect(response, status, kind):
    if response.status_code != status or not isinstance(response.parsed, kind):
        raise SystemExit(
            f"expected {status} {kind.__name__}, got {response.status_code}: {response.content!r}"
        )
    return response.parsed


def main(base_url):
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    email = f"client-{uuid.uuid4().hex}@example.com"
    registered = expect(
        auth_register.sync_detailed(
            client=anonymous,
            body=RegisterRequest(email=email, password="correct horse battery", name="Py"),
        ),
        201,
        AuthResponse,
    )
    client = AuthenticatedClient(
        base_url=base_url, token=registered.access_token, raise_on_unexpected_status=True
    )
    task = expect(
        tasks_create.sync_detailed(client=client, body=CreateTask(title="Generated client task")),
        201,
        TaskView,
    )
    page = expect(tasks_list.sync_detailed(client=client), 200, TaskPage)
    completed = expect(tasks_complete.sync_detailed(client=client, id=task.id), 200, CompletedTask)
    print(
        json.dumps(
            {
                "listed": len(page.items),
                "listed_title": page.items[0].title,
                "completed": completed.task.completed,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
