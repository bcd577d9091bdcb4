# Replaces mediasoup 3.8.4's bundled OpenSSL 1.1.1k (end of life) with the
# distribution's maintained OpenSSL 3 (Debian libssl-dev) for DTLS-SRTP.
{
  'targets': [
    {
      'target_name': 'openssl',
      'type': 'none',
      'direct_dependent_settings': {
        'defines': [ 'OPENSSL_API_COMPAT=0x10100000L' ],
      },
      'link_settings': {
        'libraries': [ '-lssl', '-lcrypto' ],
      },
    },
  ],
}
