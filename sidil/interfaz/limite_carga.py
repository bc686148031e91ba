"""The upload size limit, enforced on the upload request itself (ASGI middleware around the operators' app).

Shiny streams an upload's body to a temporary file chunk by chunk (never whole in memory) but sets no limit,
and the size the browser announces is the client's word. This wrapper refuses an upload POST whose
Content-Length is over the limit before a byte is written, and cuts one whose body grows past it (a client
that sends no length or lies): the app sees the client leave, and the answer is a 413 in Spanish."""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import PlainTextResponse

from sidil.insumos import ENV_TAMANIO, tamanio_maximo


def _respuesta(limite: int) -> PlainTextResponse:
    return PlainTextResponse(
        f"El archivo supera el tamaño máximo permitido ({limite:,} bytes, {ENV_TAMANIO}).", status_code=413
    )


def es_subida(scope) -> bool:
    """A Shiny upload request: POST <app>/session/<id>/upload/<job>."""
    return scope.get("type") == "http" and scope.get("method") == "POST" and "/upload/" in scope.get("path", "")


class LimiteCarga:
    def __init__(self, app, limite: Callable[[], int] = tamanio_maximo):
        self.app, self.limite = app, limite

    async def __call__(self, scope, receive, send):
        if not es_subida(scope):
            return await self.app(scope, receive, send)
        limite = self.limite()
        for clave, valor in scope.get("headers", []):
            if clave == b"content-length":
                try:
                    declarado = int(valor)
                except ValueError:
                    return await _respuesta(limite)(scope, receive, send)
                if declarado > limite:
                    return await _respuesta(limite)(scope, receive, send)
        recibidos = 0
        excedido = False
        iniciada = False

        async def recibir():
            nonlocal recibidos, excedido
            if excedido:
                return {"type": "http.disconnect"}
            mensaje = await receive()
            if mensaje["type"] == "http.request":
                recibidos += len(mensaje.get("body", b""))
                if recibidos > limite:
                    excedido = True  # the app's request.stream() ends with ClientDisconnect: nothing more written
                    return {"type": "http.disconnect"}
            return mensaje

        async def enviar(mensaje):
            nonlocal iniciada
            if excedido:
                return  # the app's own answer to the cut request is replaced by the 413
            iniciada = iniciada or mensaje["type"] == "http.response.start"
            await send(mensaje)

        try:
            await self.app(scope, recibir, enviar)
        except Exception:
            if not excedido:
                raise
        if excedido and not iniciada:
            await _respuesta(limite)(scope, receive, send)
