/*
 * Three fixed keys the configuration tests share, each in the two spellings: hex as the UAPI
 * carries keys, base64 as wg and configuration files show them. A and B are the same keys in
 * both spellings, so a test can check one against the other.
 */
#ifndef WGC_TEST_KEYS_H
#define WGC_TEST_KEYS_H

#define HEX_A "e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a"
#define HEX_B "58402e695ba1772b1cc9309755f043251ea77fdcf10fbe63989ceb7e19321376"
#define HEX_C "662e14fd594556f522604703340351258903b64f35553763f19426ab2a515c58"
#define B64_A "6EtabScXwQA6E7QxVwNT26ypFGzxUMX4V1aA/rpSAno="
#define B64_B "WEAuaVuhdyscyTCXVfBDJR6nf9zxD75jmJzrfhkyE3Y="
#define B64_C "Zi4U/VlFVvUiYEcDNANRJYkDtk81VTdj8ZQmqypRXFg="

#endif
