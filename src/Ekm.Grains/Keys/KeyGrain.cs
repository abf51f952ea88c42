using Ekm.Grains.Telemetry;
using Ekm.Keys;
using Microsoft.Extensions.Logging;

namespace Ekm.Grains.Keys;

/// <summary>The single authority for one tenant's keys (DESIGN §2).</summary>
internal sealed class KeyGrain(
    [PersistentState(StorageNames.KeyState, StorageNames.GrainStorage)] IPersistentState<KeyState> state,
    TimeProvider time,
    EkmMetrics metrics,
    ILogger<KeyGrain> logger) : Grain, IKeyGrain
{
    private string TenantId => this.GetPrimaryKeyString();

    public Task<TenantKeyStatus> GetStatusAsync() => Task.FromResult(Snapshot());

    public async Task<TenantKeyStatus> SetAvailabilityAsync(bool activated, string actor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (state.State.EkmActivated == activated && state.RecordExists)
        {
            return Snapshot();
        }

        state.State.EkmActivated = activated;
        state.State.AvailabilityChangedBy = actor;
        state.State.AvailabilityChangedAt = time.GetUtcNow();
        await WriteStateAsync();

        metrics.AvailabilityChanged(activated);
        KeyGrainLog.AvailabilityChanged(logger, TenantId, activated, actor);
        return Snapshot();
    }

    private async Task WriteStateAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The in-memory state now differs from what is stored: drop this activation so the
            // next call starts again from the stored state instead of from a half-applied change.
            DeactivateOnIdle();
            throw;
        }
    }

    private TenantKeyStatus Snapshot() => new(
        TenantId,
        state.State.Mode,
        new EkmAvailability(state.State.EkmActivated, state.State.AvailabilityChangedBy, state.State.AvailabilityChangedAt));
}
