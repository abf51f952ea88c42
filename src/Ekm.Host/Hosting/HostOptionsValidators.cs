using System.Net;
using Microsoft.Extensions.Options;

namespace Ekm.Host.Hosting;

/// <summary>Checks <see cref="EkmHostOptions"/> and the HTTP listen addresses; reports every problem at once.</summary>
internal sealed class EkmHostOptionsValidator(IConfiguration configuration, IHostEnvironment environment)
    : IValidateOptions<EkmHostOptions>
{
    public ValidateOptionsResult Validate(string? name, EkmHostOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            problems.Add("Ekm:DataDirectory is empty: set it to a folder the host may write to.");
        }
        else
        {
            var path = HostPaths.Resolve(options.DataDirectory, environment.ContentRootPath);
            try
            {
                Directory.CreateDirectory(path);
                var probe = Path.Combine(path, $".write-probe-{Environment.ProcessId}");
                File.WriteAllText(probe, string.Empty);
                File.Delete(probe);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problems.Add($"Ekm:DataDirectory '{path}' cannot be written: {ex.Message}");
            }
        }

        problems.AddRange(CheckUrls(configuration["urls"]));
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static IEnumerable<string> CheckUrls(string? urls)
    {
        if (string.IsNullOrWhiteSpace(urls))
        {
            yield break;
        }

        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel accepts wildcard hosts that Uri does not: normalise them for parsing only.
            var parsable = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(parsable, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                yield return $"urls: '{url}' is not an http:// or https:// address such as http://127.0.0.1:5080.";
                continue;
            }

            if (uri.Port == 0)
            {
                continue;
            }

            var address = uri.Host switch
            {
                "localhost" => IPAddress.Loopback,
                _ when IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) => ip,
                _ => IPAddress.Any,
            };
            if (!PortProbe.IsFree(address, uri.Port))
            {
                yield return $"urls: port {uri.Port} ({url}) is already in use: stop the program using it or choose another port with --urls.";
            }
        }
    }
}

/// <summary>Checks <see cref="OrleansHostOptions"/>; reports every problem at once.</summary>
internal sealed class OrleansHostOptionsValidator(IConfiguration configuration) : IValidateOptions<OrleansHostOptions>
{
    public ValidateOptionsResult Validate(string? name, OrleansHostOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            problems.Add("Orleans:ClusterId is empty.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            problems.Add("Orleans:ServiceId is empty.");
        }

        CheckPort(problems, "Orleans:SiloPort", options.SiloPort);
        CheckPort(problems, "Orleans:GatewayPort", options.GatewayPort);
        if (options.SiloPort == options.GatewayPort)
        {
            problems.Add($"Orleans:SiloPort and Orleans:GatewayPort are both {options.SiloPort}: they must differ.");
        }

        if (!IPAddress.TryParse(options.AdvertisedAddress, out _))
        {
            problems.Add($"Orleans:AdvertisedAddress '{options.AdvertisedAddress}' is not an IP address: set the address other silos reach this one at, e.g. 10.0.0.5.");
        }

        problems.AddRange(ClusterProviders.Problems(configuration));
        if (!ClusterProviders.IsConfigured(configuration, ClusterProviders.GrainStorage)
            && configuration.GetConnectionString(ClusterProviders.ConnectionName) is { Length: > 0 } cs
            && !cs.Contains("Data Source", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"ConnectionStrings:{ClusterProviders.ConnectionName} must name a SQLite file ('Data Source=...') for the embedded store, or be empty to use the data directory; for PostgreSQL configure {ClusterProviders.GrainStorage} (see the README's Cluster mode).");
        }

        if (options.Tls.Enabled)
        {
            problems.AddRange(SiloTls.Problems(options.Tls));
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void CheckPort(List<string> problems, string key, int port)
    {
        if (port is < 1 or > 65535)
        {
            problems.Add($"{key} is {port}: a TCP port is between 1 and 65535.");
        }
        else if (PortProbe.InUse(key, port) is { } inUse)
        {
            problems.Add(inUse);
        }
    }
}
