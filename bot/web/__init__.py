"""The one small web server: the webhook, bank consent callbacks, the packaged Bot API server
(botapi) and the playground's chat page over it (playground)."""
