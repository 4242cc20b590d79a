"""``one.remote.aws`` names, mapped to onesdk (none has a counterpart)."""

from one._absent import Absent

_WHY = "no AWS transfer client in onesdk (docs/differences.md, row '`one.remote`')"

ClientError = Absent("one.remote.aws.ClientError", _WHY)
get_aws_access_keys = Absent("one.remote.aws.get_aws_access_keys", _WHY)
get_s3_allen = Absent("one.remote.aws.get_s3_allen", _WHY)
get_s3_from_alyx = Absent("one.remote.aws.get_s3_from_alyx", _WHY)
get_s3_public = Absent("one.remote.aws.get_s3_public", _WHY)
get_s3_virtual_host = Absent("one.remote.aws.get_s3_virtual_host", _WHY)
s3_download_file = Absent("one.remote.aws.s3_download_file", _WHY)
s3_download_folder = Absent("one.remote.aws.s3_download_folder", _WHY)
url2uri = Absent("one.remote.aws.url2uri", _WHY)

__all__ = [
    "ClientError",
    "get_aws_access_keys",
    "get_s3_allen",
    "get_s3_from_alyx",
    "get_s3_public",
    "get_s3_virtual_host",
    "s3_download_file",
    "s3_download_folder",
    "url2uri",
]
