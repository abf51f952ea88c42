using Ekm.Keys;

namespace Ekm.Grains.Keys;

/// <summary>See <see cref="ITenantDirectoryGrain"/>.</summary>
internal sealed class TenantDirectoryGrain(
    [PersistentState(StorageNames.TenantDirectory, StorageNames.GrainStorage)] IPersistentState<TenantDirectoryState> state)
    : Grain, ITenantDirectoryGrain
{
    public async Task AddAsync(string tenantId)
    {
        if (state.State.Tenants.Add(tenantId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() =>
        Task.FromResult<IReadOnlyList<string>>(state.State.Tenants.Order(StringComparer.Ordinal).ToList());

    public async Task WakeAllAsync()
    {
        // In slices, so a large directory does not flood the silo at start.
        foreach (var chunk in state.State.Tenants.Chunk(64))
        {
            await Task.WhenAll(chunk.Select(t => GrainFactory.GetGrain<IKeyGrain>(t).GetStatusAsync()));
        }
    }
}

[GenerateSerializer, Alias("Ekm.Grains.Keys.TenantDirectoryState")]
public sealed class TenantDirectoryState
{
    [Id(0)]
    public HashSet<string> Tenants { get; set; } = new(StringComparer.Ordinal);
}
