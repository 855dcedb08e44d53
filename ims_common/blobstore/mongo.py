"""MongoDB blob store: GridFS (bucket `blobs`) with the key as the file's _id; content type and
filename in its metadata."""
from __future__ import annotations

from typing import Callable, Optional

import gridfs

from ims_common.blobstore.port import DEFAULT_CONTENT_TYPE, Blob, BlobStore, check_put


class MongoBlobStore(BlobStore):
    def __init__(self, db, on_close: Callable[[], None] = lambda: None):
        self._fs = gridfs.GridFS(db, collection="blobs")
        self._on_close = on_close

    def put(self, key, data, content_type=DEFAULT_CONTENT_TYPE, filename=None) -> None:
        data = check_put(key, data)
        self._fs.delete(key)  # GridFS refuses an existing _id; a reader may briefly miss a replaced blob
        self._fs.put(data, _id=key, filename=filename, metadata={"content_type": content_type})

    def get(self, key) -> Optional[Blob]:
        try:
            out = self._fs.get(key)
        except gridfs.NoFile:
            return None
        meta = out.metadata or {}
        return Blob(key, out.read(), meta.get("content_type", DEFAULT_CONTENT_TYPE), out.filename)

    def exists(self, key) -> bool:
        return self._fs.exists(key)

    def delete(self, key) -> None:
        self._fs.delete(key)

    def close(self) -> None:
        self._on_close()
