using Ekm.Host.Hosting;
using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ekm.Host.Health;

/// <summary>Ready when the local silo is active in the cluster.</summary>
internal sealed class SiloHealthCheck(ISiloStatusOracle oracle) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(oracle.CurrentStatus == SiloStatus.Active
            ? HealthCheckResult.Healthy("silo active")
            : HealthCheckResult.Unhealthy($"silo {oracle.CurrentStatus}"));
}

/// <summary>Ready when the grain store answers a query against its schema.</summary>
internal sealed class GrainStorageHealthCheck(GrainStorageSettings storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = storage.Factory.CreateConnection()!;
            connection.ConnectionString = storage.ConnectionString;
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM OrleansQuery";
            var queries = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            return queries > 0
                ? HealthCheckResult.Healthy("grain store reachable")
                : HealthCheckResult.Unhealthy("grain store has no Orleans queries");
        }
        catch (DbException ex)
        {
            return HealthCheckResult.Unhealthy("grain store unreachable", ex);
        }
    }
}
