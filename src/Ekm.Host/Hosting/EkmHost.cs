using System.Net;
using System.Text.Json.Serialization;
using Ekm.Grains;
using Ekm.Grains.Keys;
using Ekm.Grains.Jobs;
using Ekm.Grains.Kms;
using Ekm.Grains.Telemetry;
using Ekm.Host.Auth;
using Ekm.Host.Endpoints;
using Ekm.Host.Health;
using Ekm.Host.Kms;
using Ekm.Keys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Ekm.Host.Hosting;

/// <summary>Composition of the service: silo, gateway, dashboard, health and metrics.</summary>
internal static class EkmHost
{
    public static WebApplicationBuilder AddEkmHost(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EkmHostOptions>().BindConfiguration(EkmHostOptions.Section).ValidateOnStart();
        services.AddOptions<OrleansHostOptions>().BindConfiguration(OrleansHostOptions.Section).ValidateOnStart();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EkmHostOptions>, EkmHostOptionsValidator>();
        services.AddSingleton<IValidateOptions<OrleansHostOptions>, OrleansHostOptionsValidator>();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<KmsOptions>().BindConfiguration(KmsOptions.Section).ValidateOnStart();
        services.AddOptions<EmbeddedLocalKmsOptions>().BindConfiguration(EmbeddedLocalKmsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KmsOptions>, KmsOptionsValidator>();
        services.AddSingleton<IValidateOptions<EmbeddedLocalKmsOptions>, EmbeddedLocalKmsOptionsValidator>();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<HostPaths>();
        services.AddSingleton<GrainStorageSettings>();
        services.AddSingleton<EkmMetrics>();
        services.AddSingleton<DevelopmentKey>();
        services.AddSingleton<ApiKeyStore>();
        services.AddHostedService<StartupBanner>();
        services.AddSingleton<DownloadLinks>();
        services.AddOptions<DownloadOptions>().BindConfiguration(DownloadOptions.Section)
            .Validate(o => o.IsValid, "Ekm:Downloads:SigningKey must be base64 of at least 32 bytes (e.g. from `openssl rand -base64 32`), the same on every silo.")
            .ValidateOnStart();

        // Before the silo: the local KMS is up before any grain can call it.
        services.AddSingleton<EmbeddedLocalKms>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedLocalKms>());
        services.AddSingleton<KmsClientProvider>();
        services.AddSingleton<IKmsClientProvider>(sp => sp.GetRequiredService<KmsClientProvider>());
        services.AddSingleton<VendorKey>();
        services.AddSingleton<IVendorKey>(sp => sp.GetRequiredService<VendorKey>());
        services.AddHostedService(sp => sp.GetRequiredService<VendorKey>());
        services.AddSingleton<IKms, AwsKms>();
        services.AddSingleton<KeyValidator>();
        services.AddOptions<KeyOptions>().BindConfiguration(KeyOptions.Section)
            .Validate(o => o.HealthCheckPeriod >= TimeSpan.FromMinutes(1),
                "Ekm:Keys:HealthCheckPeriod must be at least 00:01:00 (the shortest period Orleans reminders allow).")
            .Validate(o => o.RevokedRecheckInterval > TimeSpan.Zero,
                "Ekm:Keys:RevokedRecheckInterval must be positive (e.g. 00:00:05).")
            .ValidateOnStart();
        services.AddOptions<JobStorageOptions>().Configure<HostPaths>((o, paths) => o.Root = paths.DataDirectory);
        services.AddOptions<TermsOptions>().BindConfiguration(TermsOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.Version) && !string.IsNullOrWhiteSpace(o.Text),
                "Ekm:Terms:Version and Ekm:Terms:Text must be set: tenant admins accept them to enable Enterprise Key Management.")
            .ValidateOnStart();

        var configuration = builder.Configuration;
        var orleans = configuration.GetSection(OrleansHostOptions.Section).Get<OrleansHostOptions>() ?? new OrleansHostOptions();
        builder.UseOrleans(silo =>
        {
            // Orleans has already registered every provider its own sections configure
            // (ClusterProviders); the embedded defaults fill in only what is not configured.
            if (!ClusterProviders.IsConfigured(configuration, ClusterProviders.Clustering))
            {
                // Localhost clustering reads its primary-silo endpoint from EndpointOptions lazily,
                // so the ports below (bound and validated at start) are the ones it uses.
                silo.UseLocalhostClustering();
            }

            silo.Services.AddOptions<EndpointOptions>().Configure<IOptions<OrleansHostOptions>>((endpoints, o) =>
            {
                endpoints.AdvertisedIPAddress = IPAddress.TryParse(o.Value.AdvertisedAddress, out var ip) ? ip : IPAddress.Loopback;
                endpoints.SiloPort = o.Value.SiloPort;
                endpoints.GatewayPort = o.Value.GatewayPort;
            });
            silo.Services.AddOptions<ClusterOptions>().Configure<IOptions<OrleansHostOptions>>((cluster, o) =>
            {
                cluster.ClusterId = o.Value.ClusterId;
                cluster.ServiceId = o.Value.ServiceId;
            });
            if (orleans.Kubernetes.Enabled)
            {
                // Identity and endpoints come from the pod (it post-configures the options above).
                silo.UseKubernetesHosting();
            }

            // A certificate that cannot be loaded is reported by the options validator before the silo starts.
            if (orleans.Tls.Enabled && !SiloTls.Problems(orleans.Tls).Any())
            {
                silo.UseTls(tls => SiloTls.Configure(tls, orleans.Tls));
            }

            if (!ClusterProviders.IsConfigured(configuration, ClusterProviders.GrainStorage))
            {
                silo.AddAdoNetGrainStorage(StorageNames.GrainStorage, ob => ob.Configure<GrainStorageSettings>((storage, settings) =>
                {
                    storage.Invariant = settings.Invariant;
                    storage.ConnectionString = settings.ConnectionString;
                }));
            }

            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, GrainStorageSchemaInitializer>();

            if (!ClusterProviders.IsConfigured(configuration, ClusterProviders.Reminders))
            {
                // SQLite has no Orleans reminder table: the embedded host keeps reminders in memory
                // (KeyGrains re-register theirs on activation). Cluster mode uses ADO.NET reminders.
                silo.UseInMemoryReminderService();
            }

            silo.AddActivityPropagation();
            silo.AddMemoryStreams(KeyStreams.Provider);
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.AddStartupTask(WakeEkmTenants.RunAsync);
            silo.AddDashboard();
        });

        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(EkmPolicies.Add);

        services.AddGatewayLimits();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemResults.Customize);
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi();

        services.AddHealthChecks()
            .AddCheck<SiloHealthCheck>("silo", tags: ["ready"])
            .AddCheck<GrainStorageHealthCheck>("grain-storage", tags: ["ready"]);
        // Prometheus always; OTLP metrics, traces and logs when the standard OTEL_EXPORTER_OTLP_ENDPOINT is set.
        // Without a trace exporter no tracer listens, so grain calls (the admission path) create no spans.
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("ekm-orleans"))
            .WithMetrics(metrics =>
            {
                // No response cache (300 ms by default): a scrape right after an event shows it; Prometheus scrapes every few seconds at most.
                metrics.AddMeter("Microsoft.Orleans", EkmMetrics.MeterName).AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            // HTTP request → grain calls (Orleans activity propagation) → KMS calls (ours, and the SDK's HTTP).
            telemetry.WithTracing(tracing => tracing
                .AddSource(EkmMetrics.MeterName, "Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime")
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
            builder.Logging.AddOpenTelemetry(logs =>
            {
                logs.IncludeScopes = true;
                logs.AddOtlpExporter();
            });
        }

        return builder;
    }

    public static WebApplication MapEkmHost(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLimits();
        app.UseAuthentication();
        app.UseAuthorization();
        // After authorization: a caller who is refused anyway spends none of the tenant's permits.
        app.UseRateLimiter();

        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(EkmPolicies.Operator);
        app.MapOpenApi().RequireAuthorization();
        app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(EkmPolicies.Operator);
        // Every API route retries calls that failed because a silo went away.
        var api = app.MapGroup("").AddEndpointFilter<ClusterRetryFilter>();
        api.MapVendorEndpoints();
        api.MapEkmEndpoints();
        api.MapJobEndpoints();
        app.MapWebConsole();
        return app;
    }
}
