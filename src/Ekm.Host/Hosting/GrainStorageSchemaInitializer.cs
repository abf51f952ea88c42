using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Ekm.Host.Hosting;

/// <summary>
/// Brings the grain store's schema up before the ADO.NET storage provider reads its queries
/// (which it does at <see cref="ServiceLifecycleStage.ApplicationServices"/>). SQLite only: the
/// PostgreSQL schema (<c>deploy/sql/postgresql</c>) is applied by the operator before the first
/// silo starts, since silos should not hold rights to change a shared database's schema.
/// </summary>
internal sealed class GrainStorageSchemaInitializer(GrainStorageSettings storage) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(GrainStorageSchemaInitializer), ServiceLifecycleStage.RuntimeInitialize, ApplyAsync);

    private Task ApplyAsync(CancellationToken cancellationToken) =>
        storage.IsSqlite ? SqliteSchema.ApplyAsync(storage.ConnectionString, cancellationToken) : Task.CompletedTask;
}
