"""The one small web server: the webhook now; bank consent callbacks and the playground later."""
