"""The notification service's contract: the only part of services/notification that other packages may import (a test
over the whole tree enforces it; docs/DEVELOPING.md). rpc.py names its RPC methods."""

