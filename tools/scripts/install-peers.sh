#!/usr/bin/env bash
# Installs the independently written SMTP peers the interop suite talks to (Debian packages):
# Postfix (smtpd, smtp-sink, smtp-source), swaks, Python aiosmtpd, HAProxy; and Debian's Chromium
# for the browser leg of the portability test. Idempotent.
set -euo pipefail
need=()
command -v smtp-sink >/dev/null 2>&1 || [ -x /usr/sbin/smtp-sink ] || need+=(postfix)
command -v swaks >/dev/null 2>&1 || need+=(swaks)
python3 -c 'import aiosmtpd' >/dev/null 2>&1 || /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need+=(python3-aiosmtpd)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -eq 0 ]; then echo "peers already installed"; exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
# A mirror that does not answer for a moment is not a failure of the project: three tries each.
tries() { local n; for n in 1 2 3; do "$@" && return 0; echo "attempt $n failed: $*" >&2; [ "$n" -lt 3 ] && sleep $((n * 10)); done; return 1; }
tries $SUDO apt-get update -qq
tries $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
echo "installed: ${need[*]}"
