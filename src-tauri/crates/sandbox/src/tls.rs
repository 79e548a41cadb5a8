//! Serving the sandbox over HTTPS with a certificate the caller brings: a private cloud on a
//! private certificate authority, as behind corporate TLS inspection. Handshakes run on their
//! own tasks, so one slow client does not hold up the others.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// The server's certificate chain (leaf first) and its private key, both PEM.
pub struct TlsIdentity {
    pub cert_chain_pem: String,
    pub key_pem: String,
}

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections that completed the TLS handshake, for `axum::serve`.
pub(crate) struct TlsListener {
    accepted: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    address: SocketAddr,
}

impl TlsListener {
    /// The listener, and the accept loop to run beside `axum::serve`.
    pub(crate) fn new(
        tcp: TcpListener,
        identity: &TlsIdentity,
    ) -> std::io::Result<(TlsListener, impl Future<Output = ()> + Send + 'static)> {
        let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
        let chain = CertificateDer::pem_slice_iter(identity.cert_chain_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(format!("the certificate chain is not PEM: {e}")))?;
        let key = PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes())
            .map_err(|e| invalid(format!("the private key is not PEM: {e}")))?;
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| invalid(e.to_string()))?;
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let address = tcp.local_addr()?;
        let (sender, accepted) = mpsc::channel(64);
        let accept_loop = async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let (acceptor, sender) = (acceptor.clone(), sender.clone());
                tokio::spawn(async move {
                    // A client that does not trust the certificate ends the handshake: nothing
                    // to serve.
                    if let Ok(Ok(tls)) =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    {
                        let _ = sender.send((tls, peer)).await;
                    }
                });
            }
        };
        Ok((TlsListener { accepted, address }, accept_loop))
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.accepted.recv().await {
            Some(accepted) => accepted,
            // The accept loop ended with the server: nothing more arrives.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.address)
    }
}
