// Benchmark server: the HTTP module's HTTPServer + Router answering GET /healthz the
// way the service does (a JSON body through HTTPResponse.json). Built with swiftc over
// Sources/HTTP by http_server.sh, because the real diffusion-server is not ready yet.
//
// Usage: healthz-server [port]   (default 8089; binds 127.0.0.1)

import Dispatch

@main
struct HealthzServer {
    static func main() throws {
        let arguments = CommandLine.arguments
        let port = arguments.count > 1 ? UInt16(arguments[1]) ?? 8089 : 8089
        var router = Router()
        router.get("/healthz") { _, responder in
            responder.send(.json(["status": "ok"]))
        }
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: port), handler: router)
        try server.start()
        print("healthz-server listening on 127.0.0.1:\(server.port)")
        dispatchMain()
    }
}
