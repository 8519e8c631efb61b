"""The floor for who-am-I: a minimal boto3 script calling GetCallerIdentity for every profile.

``python floor_whoami.py JOB.json``: one client per profile from its explicit keys (created in
the worker, one at a time: a boto3 session is not safe for concurrent client creation), then
GetCallerIdentity, ``concurrency`` at a time, to the same endpoint as mfa-tui. JOB.json holds
the profiles' temporary keys, so the bench writes it 0600 in its temp dir.
"""

import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import boto3


def main(path: str) -> int:
    with open(path) as fh:
        job = json.load(fh)
    session = boto3.session.Session()
    lock = threading.Lock()

    def whoami(keys: list[str]) -> str:
        with lock:
            client = session.client("sts", region_name=job["region"], endpoint_url=job["endpoint"],
                                    aws_access_key_id=keys[0], aws_secret_access_key=keys[1],
                                    aws_session_token=keys[2])
        return client.get_caller_identity()["Arn"]

    with ThreadPoolExecutor(max_workers=job["concurrency"]) as pool:
        arns = list(pool.map(whoami, job["credentials"]))
    print(len(arns))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
