using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ekm.LocalKms.Engine;
using Ekm.LocalKms.Faults;
using Ekm.LocalKms.Protocol;
using Ekm.LocalKms.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Ekm.LocalKms.Hosting;

/// <summary>
/// An AWS-KMS-compatible HTTP server on a loopback port (AWS JSON 1.1, SigV4). Used embedded by
/// Ekm.Host, standalone by <c>dotnet run --project src/Ekm.LocalKms</c>, and in-process by tests.
/// </summary>
public sealed class LocalKmsServer : IAsyncDisposable
{
    private const string JsonContentType = "application/x-amz-json-1.1";
    private const int MaxBodyBytes = 1024 * 1024;

    private static readonly JsonSerializerOptions ResponseJson = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly WebApplication _app;
    private readonly IDisposable? _store;

    private LocalKmsServer(WebApplication app, KmsEngine engine, IReadOnlyList<LocalKmsAccount> accounts, IDisposable? store)
    {
        _app = app;
        Engine = engine;
        Accounts = accounts;
        _store = store;
    }

    public KmsEngine Engine { get; }

    public FaultInjector Faults => Engine.Faults;

    public CallCounters Counters => Engine.Counters;

    public IReadOnlyList<LocalKmsAccount> Accounts { get; }

    /// <summary>The address clients use as <c>ServiceURL</c> / <c>--endpoint-url</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Validates the options, opens the store and starts listening.</summary>
    /// <exception cref="OptionsValidationException">The options are wrong; every problem is listed.</exception>
    /// <exception cref="InvalidDataException">The data file cannot be opened with the store key, or a row of it was altered.</exception>
    public static async Task<LocalKmsServer> StartAsync(LocalKmsOptions options, TimeProvider? time = null, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (new LocalKmsOptionsValidator().Validate(null, options) is { Failed: true } invalid)
        {
            throw new OptionsValidationException(LocalKmsOptions.Section, typeof(LocalKmsOptions), invalid.Failures);
        }

        var accounts = options.Accounts.Count > 0 ? options.Accounts : LocalKmsAccounts.Defaults();
        var verifier = new SigV4Verifier(accounts);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.Port);
            k.Limits.MaxRequestBodySize = MaxBodyBytes;
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        IKmsStore? store = null;
        try
        {
            // After the app is built, so the store logs where the server does.
            store = string.IsNullOrWhiteSpace(options.DataFile)
                ? new InMemoryKmsStore()
                : OpenStore(options.DataFile, options.StoreKey, app.Services.GetRequiredService<ILogger<SqliteKmsStore>>());
            var engine = new KmsEngine(store, time ?? TimeProvider.System);
            app.MapPost("/", (HttpContext context) => HandleAsync(context, engine, verifier));
            MapTestControls(app, engine);

            var server = new LocalKmsServer(app, engine, accounts, store as IDisposable);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            server.Endpoint = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
            return server;
        }
        catch
        {
            // Closes the data file too, so a failed start leaves nothing open.
            (store as IDisposable)?.Dispose();
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>The key file the store uses for <paramref name="dataFile"/> when no store key is configured.</summary>
    public static string StoreKeyFileFor(string dataFile) => StoreKeyFile.PathFor(dataFile);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _store?.Dispose();
    }

    private static SqliteKmsStore OpenStore(string dataFile, string? storeKey, ILogger logger)
    {
        var key = StoreKeyFile.TryDecode(storeKey);
        try
        {
            return new SqliteKmsStore(dataFile, key, logger);
        }
        finally
        {
            if (key is not null)
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }
    }

    private static async Task HandleAsync(HttpContext context, KmsEngine engine, SigV4Verifier verifier)
    {
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);

            var caller = verifier.Verify(context.Request, body.Span);
            var target = context.Request.Headers["X-Amz-Target"].ToString();
            const string Prefix = "TrentService.";
            if (!target.StartsWith(Prefix, StringComparison.Ordinal))
            {
                throw new KmsException(KmsErrors.UnknownOperation, "The X-Amz-Target header must name a TrentService operation.");
            }

            JsonDocument document;
            try
            {
                document = body.Length == 0 ? JsonDocument.Parse("{}") : JsonDocument.Parse(body);
            }
            catch (JsonException)
            {
                throw new KmsException(KmsErrors.SerializationException, "The request body is not valid JSON.");
            }

            using (document)
            {
                var result = await engine.ExecuteAsync(target[Prefix.Length..], caller, new KmsRequest(document.RootElement));
                context.Response.ContentType = JsonContentType;
                await JsonSerializer.SerializeAsync(context.Response.Body, result, result.GetType(), ResponseJson, context.RequestAborted);
            }
        }
        catch (Exception ex) when (ex is not KmsException && ex is not OperationCanceledException)
        {
            // A fault of the local KMS itself: answered as AWS answers its own, never as a bare 500.
            await WriteErrorAsync(context, new KmsException(KmsErrors.Internal, "The local KMS failed: " + ex.GetType().Name, 500));
        }
        catch (KmsException ex)
        {
            await WriteErrorAsync(context, ex);
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, KmsException ex)
    {
        context.Response.StatusCode = ex.Status;
        context.Response.ContentType = JsonContentType;
        context.Response.Headers["x-amzn-ErrorType"] = ex.Code;
        await JsonSerializer.SerializeAsync(context.Response.Body, new Dictionary<string, string>
        {
            ["__type"] = ex.Code,
            ["message"] = ex.Message,
        }, ResponseJson, context.RequestAborted);
    }

    /// <summary>
    /// Controls for tests and benchmarks in other processes, outside the KMS protocol and on
    /// loopback only: read call counters, set or clear faults.
    /// </summary>
    private static void MapTestControls(WebApplication app, KmsEngine engine)
    {
        app.MapGet("/_local/counters", () => Results.Json(engine.Counters.Snapshot()));
        app.MapDelete("/_local/counters", () =>
        {
            engine.Counters.Reset();
            return Results.NoContent();
        });
        app.MapPost("/_local/faults", (FaultRuleDto rule) =>
        {
            engine.Faults.Add(new FaultRule
            {
                Operation = rule.Operation,
                KeyId = rule.KeyId,
                Latency = TimeSpan.FromMilliseconds(rule.LatencyMs),
                ThrottleRate = rule.ThrottleRate,
                InternalErrorRate = rule.InternalErrorRate,
            });
            return Results.NoContent();
        });
        app.MapDelete("/_local/faults", (int? seed) =>
        {
            engine.Faults.Clear(seed);
            return Results.NoContent();
        });
    }

    private sealed record FaultRuleDto(string? Operation, string? KeyId, double LatencyMs, double ThrottleRate, double InternalErrorRate);
}
