#!/usr/bin/env bash
# README "Deploy", as commands: a bare Debian 12 machine → Touchpoint on PostgreSQL + Redis
# behind nginx. Run as root from a checkout: deploy/install.sh
# Every step is the README's; the variables only name things. tests/deploy/test_install.py
# runs it with SYSTEM=0 (no apt, users, systemd or nginx: a test has none of them) on a
# scratch database and Redis db 3, then starts the site the way the systemd unit does.
set -euo pipefail

SYSTEM="${SYSTEM:-1}"                        # 0: skip apt, the service user, systemd, nginx
TP_HOME="${TP_HOME:-/srv/touchpoint}"        # app in $TP_HOME/app, uploads in $TP_HOME/media
TP_ETC="${TP_ETC:-/etc/touchpoint}"          # touchpoint.env: settings and secrets
DB_NAME="${DB_NAME:-touchpoint}"
DB_USER="${DB_USER:-touchpoint}"
PG_ADMIN="${PG_ADMIN-runuser -u postgres --}" # how to run createuser/createdb as a superuser
AS_APP="${AS_APP-runuser -u touchpoint --}"   # flask commands run as the service user
PG_HOST_ARGS="${PG_HOST_ARGS:-}"             # e.g. "-h 127.0.0.1 -U postgres"
DATABASE_URL="${DATABASE_URL:-postgresql://$DB_USER@/$DB_NAME}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
SITE_URL="${SITE_URL:-https://help.example.com}"
ADMIN_EMAIL="${ADMIN_EMAIL:-admin@example.com}"
ADMIN_PASSWORD="${ADMIN_PASSWORD:-}"         # empty: flask asks for it
SOURCE="$(cd "$(dirname "$0")/.." && pwd)"

step() { printf '\n== %s\n' "$*"; }

step "1. System packages"
if [ "$SYSTEM" = 1 ]; then
  apt-get update
  apt-get install -y python3-venv git nginx postgresql redis-server
fi

step "2. A service user and the folders"
if [ "$SYSTEM" = 1 ]; then
  adduser --system --group --home "$TP_HOME" touchpoint
fi
mkdir -p "$TP_HOME/media" "$TP_ETC"
if [ "$SOURCE" != "$TP_HOME/app" ]; then
  git clone "$SOURCE" "$TP_HOME/app"
fi
cd "$TP_HOME/app"
mkdir -p instance
if [ "$SYSTEM" = 1 ]; then
  chown -R touchpoint:touchpoint "$TP_HOME/media" instance
fi

step "3. The PostgreSQL database"
if [ "$SYSTEM" = 1 ]; then
  $PG_ADMIN createuser $PG_HOST_ARGS "$DB_USER"
fi
$PG_ADMIN createdb $PG_HOST_ARGS -O "$DB_USER" "$DB_NAME"

step "4. The app in its own virtualenv, with PostgreSQL and Redis support"
python3 -m venv .venv
.venv/bin/pip install --quiet '.[postgres,redis]'
.venv/bin/pybabel compile -d app/translations

step "5. Settings and secrets"
install -m 0640 deploy/systemd/touchpoint.env "$TP_ETC/touchpoint.env"
SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
sed -i \
  -e "s|^TOUCHPOINT_SECRET_KEY=.*|TOUCHPOINT_SECRET_KEY=$SECRET|" \
  -e "s|^TOUCHPOINT_DATABASE_URL=.*|TOUCHPOINT_DATABASE_URL=$DATABASE_URL|" \
  -e "s|^TOUCHPOINT_RATELIMIT_STORAGE_URI=.*|TOUCHPOINT_RATELIMIT_STORAGE_URI=$REDIS_URL|" \
  -e "s|^TOUCHPOINT_BASE_URL=.*|TOUCHPOINT_BASE_URL=$SITE_URL|" \
  -e "s|/srv/touchpoint|$TP_HOME|g" \
  "$TP_ETC/touchpoint.env"
if [ "$SYSTEM" = 1 ]; then
  chgrp touchpoint "$TP_ETC/touchpoint.env"
fi

step "6. Schema, content (and its search rows), forum categories"
set -a; . "$TP_ETC/touchpoint.env"; set +a
$AS_APP .venv/bin/flask db upgrade
$AS_APP .venv/bin/flask content import
$AS_APP .venv/bin/flask forum init

step "7. The first admin"
if [ -n "$ADMIN_PASSWORD" ]; then
  $AS_APP .venv/bin/flask users create --email "$ADMIN_EMAIL" --role admin \
    --password "$ADMIN_PASSWORD"
else
  $AS_APP .venv/bin/flask users create --email "$ADMIN_EMAIL" --role admin
fi

step "8. systemd: the web app, the job worker and the timers"
if [ "$SYSTEM" = 1 ]; then
  cp deploy/systemd/*.service deploy/systemd/*.timer /etc/systemd/system/
  systemctl daemon-reload
  systemctl enable --now touchpoint-web touchpoint-jobs
  systemctl enable --now touchpoint-publish.timer touchpoint-rollup.timer \
    touchpoint-webhook.timer touchpoint-digest.timer touchpoint-retention.timer
fi

step "9. nginx in front"
if [ "$SYSTEM" = 1 ]; then
  install -D -m 0644 deploy/systemd/nginx.service.d/touchpoint.conf \
    /etc/systemd/system/nginx.service.d/touchpoint.conf  # nginx first for the CPU
  systemctl daemon-reload
  # One upstream server line per gunicorn worker: WEB_CONCURRENCY in touchpoint.env, or
  # 2 x CPUs + 1 as deploy/gunicorn.conf.py counts them. Run this step again after
  # changing either.
  workers="$(sed -n 's/^WEB_CONCURRENCY=//p' "$TP_ETC/touchpoint.env")"
  workers="${workers:-$((2 * $(getconf _NPROCESSORS_ONLN) + 1))}"
  awk -v workers="$workers" '
    /server unix:\/run\/touchpoint\/worker-/ {
      if (!written) for (n = 0; n < workers; n++)
        printf "    server unix:/run/touchpoint/worker-%d.sock;\n", n
      written = 1; next
    }
    { print }' deploy/nginx.conf > /etc/nginx/sites-available/touchpoint
  ln -sf ../sites-available/touchpoint /etc/nginx/sites-enabled/touchpoint
  rm -f /etc/nginx/sites-enabled/default
  nginx -t
  systemctl restart nginx
  curl -fsS http://127.0.0.1/readyz
fi

step "done: $SITE_URL (sign in as $ADMIN_EMAIL)"
