// TLS over an already connected socket, with OpenSSL: the server's chain and
// host name are verified and SNI is sent unless --insecure; --sni sends and
// verifies another name (the tunnel case); a client certificate for mutual TLS.
// The handshake runs under the connect deadline, non-blocking like the socket.
import COpenSSL
import Glibc

/// Why a TLS connection could not be made. Verification problems are configuration
/// errors (exit 5), never a reason to fall back to SQLite.
struct TLSError: Error {
    var message: String
    /// The handshake did not finish in time: the server may simply be absent.
    var isTimeout = false
    var remedy: CloseupError.Remedy?
}

/// The client side of TLS as configured: CA, client certificate and key, loaded and checked.
/// Made before the TCP connect, so an unreadable or mismatched file is a configuration error
/// even when the server is down, never hidden behind the SQLite fallback.
final class TLSContext {
    let settings: TLSSettings
    fileprivate let context: OpaquePointer

    init(_ settings: TLSSettings) throws(TLSError) {
        self.settings = settings
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw TLSError(message: "cannot create a TLS context") }
        self.context = context
        _ = closeup_ssl_ctx_min_tls12(context)
        _ = closeup_ssl_ctx_set_mode(context, closeup_ssl_modes())
        if let file = settings.caCertificate {
            guard SSL_CTX_load_verify_locations(context, file, nil) == 1 else {
                throw TLSError(
                    message: "cannot read CA file '\(file)': \(TLSTransport.openSSLError())", remedy: .checkCACertificate)
            }
        } else {
            SSL_CTX_set_default_verify_paths(context)
        }
        if let certificate = settings.certificate {
            guard let key = settings.privateKey else {
                throw TLSError(
                    message: "a client certificate needs its private key", remedy: .pairCertificateAndKey)
            }
            guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1 else {
                throw TLSError(message: "cannot read client certificate '\(certificate)': \(TLSTransport.openSSLError())")
            }
            guard SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1, SSL_CTX_check_private_key(context) == 1 else {
                throw TLSError(message: "cannot use private key '\(key)' with '\(certificate)': \(TLSTransport.openSSLError())")
            }
        } else if settings.privateKey != nil {
            throw TLSError(message: "a private key needs its client certificate", remedy: .pairCertificateAndKey)
        }
        SSL_CTX_set_verify(context, settings.insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nil)
    }

    deinit { SSL_CTX_free(context) }
}

final class TLSTransport: Transport {
    private let socket: SocketTransport
    private let context: TLSContext
    private let ssl: OpaquePointer
    var fileDescriptor: Int32 { socket.fileDescriptor }

    /// Wraps `socket` and completes the handshake before `deadline`.
    /// - Parameters:
    ///   - host: the host connected to, whose name (or the settings' server name) is sent and verified.
    init(socket: SocketTransport, host: String, context: TLSContext, deadline: Deadline) throws(TLSError) {
        // OpenSSL writes with write(2): a server that hung up must give EPIPE, not kill us.
        signal(SIGPIPE, SIG_IGN)
        self.socket = socket
        self.context = context
        let settings = context.settings
        guard let ssl = SSL_new(context.context) else { throw TLSError(message: "cannot create a TLS session") }
        self.ssl = ssl
        let name = settings.serverName ?? host
        let isAddress = TLSTransport.isIPAddress(name)
        if !isAddress { _ = closeup_ssl_set_sni(ssl, name) }
        if !settings.insecure {
            let parameters = SSL_get0_param(ssl)
            let accepted = isAddress ? X509_VERIFY_PARAM_set1_ip_asc(parameters, name) : SSL_set1_host(ssl, name)
            guard accepted == 1 else { throw TLSError(message: "cannot verify against the name '\(name)'") }
        }
        SSL_set_fd(ssl, socket.fileDescriptor)
        try handshake(name: name, deadline: deadline)
    }

    deinit { SSL_free(ssl) }

    private func handshake(name: String, deadline: Deadline) throws(TLSError) {
        while true {
            ERR_clear_error()
            let result = SSL_connect(ssl)
            if result == 1 { return }
            let events: Int16
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ: events = Int16(POLLIN)
            case SSL_ERROR_WANT_WRITE: events = Int16(POLLOUT)
            default:
                let verification = SSL_get_verify_result(ssl)
                if verification != Int(X509_V_OK) {
                    let reason = String(cString: X509_verify_cert_error_string(verification))
                    throw TLSError(
                        message: "TLS certificate verification failed for '\(name)': \(reason)",
                        remedy: .checkServerName)
                }
                let reason = TLSTransport.openSSLError()
                throw TLSError(
                    message: "TLS handshake with '\(name)' failed: \(reason.isEmpty ? "the server closed the connection" : reason);"
                        + " is TLS enabled on that port, and is the client certificate accepted?")
            }
            do {
                try socket.wait(for: events, until: deadline)
            } catch {
                throw TLSError(message: "no TLS handshake within the connect timeout", isTimeout: true)
            }
        }
    }

    /// Decrypted bytes OpenSSL already holds: poll() cannot see them.
    var hasBufferedInput: Bool { SSL_pending(ssl) > 0 }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Int? {
        ERR_clear_error()
        let count = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        if count > 0 { return Int(count) }
        switch SSL_get_error(ssl, count) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return nil
        case SSL_ERROR_ZERO_RETURN: return 0
        case SSL_ERROR_SYSCALL where errno == 0 || count == 0: return 0
        case SSL_ERROR_SSL:
            throw TransportError(reason: "the server ended TLS: \(TLSTransport.openSSLError())", isTLS: true)
        default: throw TransportError(reason: "TLS read failed: \(TLSTransport.openSSLError())")
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(TransportError) -> Int? {
        guard !bytes.isEmpty else { return 0 }
        ERR_clear_error()
        let count = SSL_write(ssl, bytes.baseAddress, Int32(min(bytes.count, Int(Int32.max))))
        if count > 0 { return Int(count) }
        switch SSL_get_error(ssl, count) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return nil
        default:
            // The server may have refused us with an alert (TLS 1.3 checks the client certificate
            // after the handshake) and closed: read the alert, which says why.
            var scratch = [UInt8](repeating: 0, count: 512)
            ERR_clear_error()
            _ = SSL_read(ssl, &scratch, Int32(scratch.count))
            let alert = TLSTransport.openSSLError()
            guard !alert.isEmpty else { throw TransportError(reason: "the server closed the connection") }
            throw TransportError(reason: "the server ended TLS: \(alert)", isTLS: true)
        }
    }

    func close() {
        SSL_shutdown(ssl)
        socket.close()
    }

    /// The newest error in OpenSSL's queue, in words.
    /// The first error OpenSSL queued (the root cause); the queue is emptied so the next
    /// failure is not blamed on this one.
    static func openSSLError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(cString: buffer)
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
