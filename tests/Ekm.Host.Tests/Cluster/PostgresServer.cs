using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Ekm.Host.Hosting;
using Ekm.Testing;
using Npgsql;

namespace Ekm.Host.Tests.Cluster;

/// <summary>
/// A throwaway PostgreSQL server on a free loopback port, data in a temp folder, stopped and
/// removed afterwards. As root (this machine and CI) the server runs as the <c>postgres</c> user,
/// which PostgreSQL insists on. One per test collection; each test creates its own database.
/// </summary>
public sealed partial class PostgresServer : IAsyncLifetime
{
    private const string ServiceUser = "postgres";

    private static readonly Lazy<string?> BinDirectory = new(FindBinDirectory);
    private static readonly Lazy<string[]> Scripts = new(FindSchemaScripts);

    private readonly string _root;
    private readonly string _data;
    private readonly string _socket;
    private bool _started;

    public PostgresServer()
    {
        _root = Directory.CreateTempSubdirectory("ekm-pg-").FullName;
        _data = Path.Combine(_root, "data");
        _socket = Path.Combine(_root, "socket");
    }

    /// <summary>Why no server can run here, or null when <c>initdb</c> and <c>pg_ctl</c> were found.</summary>
    public static string? MissingReason => BinDirectory.Value is null
        ? "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
        : null;

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>How long initdb and the start took.</summary>
    public TimeSpan StartupDuration { get; private set; }

    /// <summary>The project's PostgreSQL scripts (<c>deploy/sql/postgresql</c>), in the order they are applied.</summary>
    public static IReadOnlyList<string> SchemaScripts => Scripts.Value;

    public async Task InitializeAsync()
    {
        if (MissingReason is not null)
        {
            return; // Every test using the server is skipped; see PostgresFactAttribute.
        }

        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(_data);
        Directory.CreateDirectory(_socket);
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", "-R", $"{ServiceUser}:{ServiceUser}", _root);
        }

        await RunServerToolAsync("initdb", "-D", _data, "-U", ServiceUser, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync");

        // A free port can be taken between the probe and the bind; a retry picks another one.
        for (var attempt = 1; ; attempt++)
        {
            Port = HostPorts.FreePort();
            try
            {
                await RunServerToolAsync(
                    "pg_ctl", "start", "-w", "-D", _data, "-l", Path.Combine(_root, "server.log"),
                    "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {_socket} -c fsync=off");
                break;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }

        _started = true;
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync(); // pg_ctl -w returned once the server accepts connections.
        }

        StartupDuration = clock.Elapsed;
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_started)
            {
                NpgsqlConnection.ClearAllPools();
                await RunServerToolAsync("pg_ctl", "stop", "-m", "immediate", "-D", _data);
            }
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>A connection string for <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = ServiceUser,
        Database = database,
        // CREATE ... IF NOT EXISTS notices are expected when a script is applied again.
        Options = "-c client_min_messages=warning",
    }.ConnectionString;

    /// <summary>
    /// Creates a database and, unless told otherwise, applies <c>deploy/sql/postgresql/*.sql</c>.
    /// </summary>
    /// <returns>The database's connection string.</returns>
    public async Task<string> CreateDatabaseAsync(string name, bool applySchema = true)
    {
        if (MissingReason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a plain database name (lower-case letters, digits, _).", nameof(name));
        }

        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = $"CREATE DATABASE {name}";
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = ConnectionString(name);
        if (applySchema)
        {
            await ApplySchemaAsync(connectionString);
        }

        return connectionString;
    }

    /// <summary>Applies every script of <see cref="SchemaScripts"/>, each as one batch.</summary>
    public static async Task ApplySchemaAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var script in SchemaScripts)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = await File.ReadAllTextAsync(script);
            await command.ExecuteNonQueryAsync();
        }
    }

    private Task RunServerToolAsync(string tool, params string[] args)
    {
        var path = Path.Combine(BinDirectory.Value!, tool);
        return Environment.IsPrivilegedProcess
            ? RunAsync("runuser", ["-u", ServiceUser, "--", path, .. args])
            : RunAsync(path, args);
    }

    private async Task RunAsync(string fileName, params string[] args)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _root,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            var logFile = Path.Combine(_root, "server.log");
            var output = await stdout + await stderr + (File.Exists(logFile) ? await File.ReadAllTextAsync(logFile) : "");
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{fileName} {string.Join(' ', args)} exited with {process.ExitCode}:\n{output}"));
        }
    }

    /// <summary>The newest Debian-style <c>/usr/lib/postgresql/N/bin</c>, else the PATH.</summary>
    private static string? FindBinDirectory()
    {
        static bool Exists(string file) =>
            new FileInfo(file) is { Exists: true } info
            && (info.LinkTarget is null || info.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true });
        static bool HasTools(string folder) =>
            Exists(Path.Combine(folder, "initdb")) && Exists(Path.Combine(folder, "pg_ctl"));

        const string Debian = "/usr/lib/postgresql";
        var versioned = Directory.Exists(Debian)
            ? Directory.EnumerateDirectories(Debian)
                .Select(folder => (folder, version: decimal.TryParse(Path.GetFileName(folder), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .OrderByDescending(candidate => candidate.version)
                .Select(candidate => Path.Combine(candidate.folder, "bin"))
            : [];
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return versioned.Concat(onPath).FirstOrDefault(HasTools);
    }

    private static string[] FindSchemaScripts() =>
        Directory.GetFiles(Path.Combine(RepoRoot.Require(), "deploy", "sql", "postgresql"), "*.sql")
            .Order(StringComparer.Ordinal)
            .ToArray();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex DatabaseName();
}

/// <summary>A fact that needs a PostgreSQL server; skipped where the server binaries are absent.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        Skip = PostgresServer.MissingReason;
    }
}

/// <summary>One PostgreSQL server shared by the test classes of the "postgres" collection.</summary>
[CollectionDefinition("postgres")]
public sealed class PostgresCollectionDefinition : ICollectionFixture<PostgresServer>;
