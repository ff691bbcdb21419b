#!/bin/bash
# Usage: bench/kill-resume.sh (MIB=1024 R=/tmp/kr by default); prints a timed log of each phase.
# 1 GiB kill-and-resume through the real CLI: alice sends to bob's running daemon directly;
# alice's send is SIGKILLed at ~1/3, resumed by `cairn sync`; bob's daemon is SIGKILLed at ~2/3 of
# the resumed transfer, restarted, alice syncs again; bob's `cairn save` is SIGKILLed mid-copy and run again.
set -u
cd "$(dirname "$0")/.."  # the repo, built (npm run build)
N=node_modules/.bin/node; C="$N dist/cli/main.js"
R=${R:-/tmp/kr}; MIB=${MIB:-1024}
rm -rf $R; mkdir -p $R
export CAIRN_LOG_LEVEL=warn CAIRN_MAILBOX_REPLICAS_PER_SUBNET=0
t() { date +%s.%N; }
log() { echo "[$(date +%T)] $*"; }
head -c $((MIB*1024*1024)) /dev/urandom > $R/big.bin
SUM=$(sha256sum $R/big.bin | cut -d' ' -f1)
log "file: $MIB MiB sha256 $SUM"
A=$(${C} init --data-dir $R/alice --json | $N -pe 'JSON.parse(require("fs").readFileSync(0)).peerId')
B=$(${C} init --data-dir $R/bob --json | $N -pe 'JSON.parse(require("fs").readFileSync(0)).peerId')
$C contact add bob $B --data-dir $R/alice >/dev/null; $C contact add alice $A --data-dir $R/bob >/dev/null
BADDR=/ip4/127.0.0.1/tcp/47311/p2p/$B
startbob() { $C daemon --data-dir $R/bob --listen /ip4/127.0.0.1/tcp/47311 > $R/bob-daemon.$1.out 2> $R/bob-daemon.$1.err & BOBPID=$!; sleep 4; }
received() { local b; b=$(du -sb $R/bob/attachments 2>/dev/null | cut -f1); echo ${b:-0}; }
waitbytes() { # wait until bob's attachments dir holds >= $1 bytes or $2 s pass
  local end=$(( $(date +%s) + $2 )); while [ "$(received || echo 0)" -lt "$1" ] && [ $(date +%s) -lt $end ]; do sleep 0.2; done; }
startbob 1
log "phase 1: send, SIGKILL at ~1/3"
T0=$(t)
$C send bob --file $R/big.bin "1 GiB" --data-dir $R/alice --bootstrap $BADDR --json > $R/send1.out 2> $R/send1.err & SPID=$!
# peak RSS of the sender, sampled
# (a sample taken as the process dies reads nothing: only a figure replaces the last one)
( while kill -0 $SPID 2>/dev/null; do v=$(grep VmHWM /proc/$SPID/status 2>/dev/null | awk '{print $2}'); [ -n "$v" ] && echo $v > $R/send1.hwm; sleep 0.5; done ) &
waitbytes $((MIB*1024*1024/3)) 600
R1=$(received); kill -9 $SPID; wait $SPID 2>/dev/null; T1=$(t)
log "sender killed after $(echo "$T1 - $T0" | bc) s; bob held $R1 B; sender VmHWM $(cat $R/send1.hwm) kB"
log "phase 2: alice's cairn sync resumes; SIGKILL bob's daemon at ~2/3"
$C sync --data-dir $R/alice --bootstrap $BADDR --json > $R/sync1.out 2> $R/sync1.err & YPID=$!
waitbytes $((MIB*1024*1024*2/3)) 600
R2=$(received); kill -9 $BOBPID; wait $BOBPID 2>/dev/null; T2=$(t)
log "bob's daemon killed after $(echo "$T2 - $T1" | bc) s more; bob held $R2 B (was $R1 B at the resume)"
wait $YPID; log "alice's sync exited $? : $(cat $R/sync1.out | head -c 300)"
startbob 2
R3=$(received)
log "bob restarted holding $R3 B; phase 3: alice syncs again"
T3=$(t)
$C sync --data-dir $R/alice --bootstrap $BADDR --json > $R/sync2.out 2> $R/sync2.err; RC=$?
T4=$(t)
log "alice's second sync exited $RC after $(echo "$T4 - $T3" | bc) s: $(head -c 300 $R/sync2.out)"
sleep 2
$C inbox --data-dir $R/bob --json > $R/inbox.json 2>/dev/null
ID=$($N -pe 'const m=JSON.parse(require("fs").readFileSync(process.argv[1])).find(m=>m.attachment); m ? m.id + " " + m.attachment.state : "none"' $R/inbox.json)
log "bob's inbox: $ID"
kill $BOBPID; wait $BOBPID 2>/dev/null
MID=${ID%% *}
mkdir -p $R/out
log "phase 4: save (no daemon), SIGKILL mid-copy"
$C save $MID --out $R/out --data-dir $R/bob --json > $R/save1.out 2> $R/save1.err & VPID=$!
sleep 3; kill -9 $VPID; wait $VPID 2>/dev/null
log "save killed; in out/: $(ls -lA $R/out | tail -n +2 | awk '{print $5, $9}' | tr '\n' ';')"
T5=$(t)
/usr/bin/time -f "%e s %M kB" $C save $MID --out $R/out --data-dir $R/bob --json > $R/save2.out 2> $R/save2.err; RC=$?
log "second save exited $RC: $(cat $R/save2.out) ($(tail -1 $R/save2.err))"
OUT=$($N -pe 'JSON.parse(require("fs").readFileSync(process.argv[1])).path' $R/save2.out)
GOT=$(sha256sum "$OUT" | cut -d' ' -f1)
log "saved file sha256 $GOT: $([ "$GOT" = "$SUM" ] && echo MATCH || echo MISMATCH); out/ holds: $(ls -A $R/out | tr '\n' ';')"
log "total wall $(echo "$(t) - $T0" | bc) s"
