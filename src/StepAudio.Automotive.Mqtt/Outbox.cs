using Microsoft.Data.Sqlite;

namespace StepAudio.Automotive.Mqtt;

/// <summary>
/// Store and forward in SQLite (WAL): a message is written here before the MQTT client sees it and
/// deleted only when the broker has acknowledged it (PUBACK; for escalations, the gateway's ack on
/// the response topic). Survives a service restart; messages leave in arrival order; expired ones
/// are dropped and counted. Bounded: when full, expired go first, then the oldest QoS 0, then the
/// oldest message that is not an escalation; an unexpired escalation is never dropped.
/// </summary>
public sealed class Outbox : IDisposable
{
    private const string Columns = "seq, message_id, topic, payload, qos, retain, needs_ack, zone, created_ms, expires_ms, next_send_ms";

    private readonly Lock _gate = new();
    private readonly SqliteConnection _db;
    private readonly TimeProvider _time;
    private readonly int _maxMessages;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _awaitAck;
    private readonly SqliteCommand _dropExpired;
    private long _count;
    private long _awaitingAck;

    public Outbox(string path, int maxMessages, TimeProvider time, string synchronous = "NORMAL")
    {
        _time = time;
        _maxMessages = maxMessages;
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            _db.Open();
            Execute($"PRAGMA journal_mode=WAL; PRAGMA synchronous={(synchronous == "FULL" ? "FULL" : "NORMAL")}; PRAGMA busy_timeout=5000;");
            Execute("""
                CREATE TABLE IF NOT EXISTS outbox(
                  seq INTEGER PRIMARY KEY AUTOINCREMENT,
                  message_id TEXT NOT NULL,
                  topic TEXT NOT NULL,
                  payload BLOB NOT NULL,
                  qos INTEGER NOT NULL,
                  retain INTEGER NOT NULL,
                  needs_ack INTEGER NOT NULL,
                  zone TEXT,
                  created_ms INTEGER NOT NULL,
                  expires_ms INTEGER,
                  next_send_ms INTEGER);
                CREATE INDEX IF NOT EXISTS outbox_message_id ON outbox(message_id);
                CREATE INDEX IF NOT EXISTS outbox_expires ON outbox(expires_ms) WHERE expires_ms IS NOT NULL;
                CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                INSERT OR IGNORE INTO counters VALUES ('expired', 0), ('overflow', 0);
                """);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(path, $"cannot open the MQTT outbox: {e.Message}", e);
        }
        _count = Scalar("SELECT COUNT(*) FROM outbox");
        _awaitingAck = Scalar("SELECT COUNT(*) FROM outbox WHERE next_send_ms IS NOT NULL");

        _insert = Command("""
            INSERT INTO outbox(message_id, topic, payload, qos, retain, needs_ack, zone, created_ms, expires_ms)
            VALUES ($id, $topic, $payload, $qos, $retain, $needsAck, $zone, $created, $expires) RETURNING seq;
            """, "$id", "$topic", "$payload", "$qos", "$retain", "$needsAck", "$zone", "$created", "$expires");
        _awaitAck = Command("UPDATE outbox SET next_send_ms = $next WHERE seq = $seq RETURNING 1", "$next", "$seq");
        _dropExpired = Command("DELETE FROM outbox WHERE expires_ms <= $now RETURNING next_send_ms IS NOT NULL", "$now");
    }

    /// <summary>Messages held now.</summary>
    public long Count
    {
        get { lock (_gate) return _count; }
    }

    /// <summary>Dropped because they expired before they could be sent (over the outbox's life, across restarts).</summary>
    public long Expired
    {
        get { lock (_gate) return Scalar("SELECT value FROM counters WHERE name = 'expired'"); }
    }

    /// <summary>Dropped because the outbox was full.</summary>
    public long Overflowed
    {
        get { lock (_gate) return Scalar("SELECT value FROM counters WHERE name = 'overflow'"); }
    }

    /// <summary>Messages not yet acknowledged by the broker (escalations awaiting only the gateway's ack are not counted).</summary>
    public long Unacknowledged
    {
        get { lock (_gate) return _count - _awaitingAck; }
    }

    /// <summary>Stores a message durably. Returns its sequence number, or -1 when the outbox is full of escalations and this is not one.</summary>
    public long Add(OutboxMessage m)
    {
        lock (_gate)
        {
            if (_count >= _maxMessages && !MakeRoom(m.NeedsAck))
            {
                Bump("overflow", 1);
                return -1;
            }
            var p = _insert.Parameters;
            p[0].Value = m.MessageId;
            p[1].Value = m.Topic;
            p[2].Value = m.Payload;
            p[3].Value = m.Qos;
            p[4].Value = m.Retain ? 1 : 0;
            p[5].Value = m.NeedsAck ? 1 : 0;
            p[6].Value = (object?)m.Zone ?? DBNull.Value;
            p[7].Value = m.Created.ToUnixTimeMilliseconds();
            p[8].Value = m.Expires is { } x ? x.ToUnixTimeMilliseconds() : DBNull.Value;
            var seq = (long)_insert.ExecuteScalar()!;
            _count++;
            return seq;
        }
    }

    /// <summary>The next messages to send for the first time on this connection, after <paramref name="afterSeq"/>, in order. Drops expired ones first.</summary>
    public List<OutboxMessage> NextToSend(long afterSeq, int limit)
    {
        lock (_gate)
        {
            DropExpiredLocked();
            return Query($"SELECT {Columns} FROM outbox WHERE seq > {afterSeq} AND next_send_ms IS NULL ORDER BY seq LIMIT {limit}");
        }
    }

    /// <summary>Escalations the gateway has not acknowledged whose re-send time has come.</summary>
    public List<OutboxMessage> DueForResend()
    {
        lock (_gate)
        {
            DropExpiredLocked();
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            return Query($"SELECT {Columns} FROM outbox WHERE next_send_ms IS NOT NULL AND next_send_ms <= {now} ORDER BY seq");
        }
    }

    /// <summary>The broker has them: forget them (one statement per batch).</summary>
    public void Complete(IReadOnlyList<long> seqs)
    {
        if (seqs.Count == 0) return;
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = $"DELETE FROM outbox WHERE seq IN ({string.Join(',', seqs)}) RETURNING next_send_ms IS NOT NULL";
            CountRemoved(cmd);
        }
    }

    /// <summary>The broker has them but the gateway has not acknowledged: send again at <paramref name="nextSend"/>.</summary>
    public void AwaitAck(IReadOnlyList<long> seqs, DateTimeOffset nextSend)
    {
        if (seqs.Count == 0) return;
        lock (_gate)
        {
            using var tx = _db.BeginTransaction();
            _awaitAck.Transaction = tx;
            using var firstTime = _db.CreateCommand();
            firstTime.Transaction = tx;
            foreach (var seq in seqs)
            {
                firstTime.CommandText = $"SELECT next_send_ms IS NULL FROM outbox WHERE seq = {seq}";
                var first = firstTime.ExecuteScalar() is long f && f == 1;
                _awaitAck.Parameters[0].Value = nextSend.ToUnixTimeMilliseconds();
                _awaitAck.Parameters[1].Value = seq;
                if (_awaitAck.ExecuteScalar() is not null && first) _awaitingAck++;
            }
            tx.Commit();
            _awaitAck.Transaction = null;
        }
    }

    /// <summary>The gateway acknowledged an escalation. False when no such message waits (a duplicate or stale ack).</summary>
    public bool Acknowledge(string messageId)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM outbox WHERE message_id = $id AND needs_ack = 1 RETURNING next_send_ms IS NOT NULL";
            cmd.Parameters.AddWithValue("$id", messageId);
            return CountRemoved(cmd) > 0;
        }
    }

    /// <summary>Drops messages past their expiry; returns how many.</summary>
    public int DropExpired()
    {
        lock (_gate) return DropExpiredLocked();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _insert.Dispose();
            _awaitAck.Dispose();
            _dropExpired.Dispose();
            _db.Dispose();
        }
    }

    private int DropExpiredLocked()
    {
        _dropExpired.Parameters[0].Value = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var n = CountRemoved(_dropExpired);
        if (n > 0) Bump("expired", n);
        return n;
    }

    /// <summary>Runs a DELETE ... RETURNING (was it awaiting the gateway's ack) and keeps the counts in step.</summary>
    private int CountRemoved(SqliteCommand delete)
    {
        var n = 0;
        using var r = delete.ExecuteReader();
        while (r.Read())
        {
            n++;
            if (r.GetInt64(0) == 1) _awaitingAck--;
        }
        _count -= n;
        return n;
    }

    private bool MakeRoom(bool incomingIsEscalation)
    {
        if (DropExpiredLocked() > 0 && _count < _maxMessages) return true;
        foreach (var victim in new[]
        {
            "SELECT seq FROM outbox WHERE qos = 0 ORDER BY seq LIMIT 1",
            "SELECT seq FROM outbox WHERE needs_ack = 0 ORDER BY seq LIMIT 1",
        })
        {
            var seq = Scalar(victim);
            if (seq == 0) continue;
            Execute($"DELETE FROM outbox WHERE seq = {seq}");
            _count--;
            Bump("overflow", 1);
            return true;
        }
        // Only unexpired escalations left: an escalation still gets in, anything else is refused.
        return incomingIsEscalation;
    }

    private void Bump(string counter, long n) => Execute($"UPDATE counters SET value = value + {n} WHERE name = '{counter}'");

    private List<OutboxMessage> Query(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var list = new List<OutboxMessage>();
        while (r.Read())
        {
            list.Add(new OutboxMessage(
                r.GetString(1),
                r.GetString(2),
                (byte[])r.GetValue(3),
                r.GetInt32(4),
                r.GetInt32(5) != 0,
                r.GetInt32(6) != 0,
                r.IsDBNull(7) ? null : r.GetString(7),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
                r.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)))
            {
                Seq = r.GetInt64(0),
                NextSend = r.IsDBNull(10) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)),
            });
        }
        return list;
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var p in parameters) cmd.Parameters.Add(new SqliteParameter { ParameterName = p });
        cmd.Prepare();
        return cmd;
    }

    private void Execute(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private long Scalar(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar() is long v ? v : 0;
    }
}
