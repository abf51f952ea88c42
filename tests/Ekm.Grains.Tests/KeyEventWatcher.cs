using System.Diagnostics;
using Ekm.Keys;
using Microsoft.Extensions.Time.Testing;
using Orleans.Streams;

namespace Ekm.Grains.Tests;

/// <summary>
/// Subscribes, from the cluster client, to one tenant's key-event stream. A test asks for the next
/// event of a kind, before or after causing it, and waits on that signal.
/// </summary>
/// <remarks>
/// The silos run on the test's <see cref="FakeTimeProvider"/> (it is their <see cref="TimeProvider"/>,
/// Orleans' own timers included), so a memory stream's pulling agent reads its queue only when that
/// clock moves. Waiting therefore moves it one pull period at a time until the event arrives.
/// </remarks>
internal sealed class KeyEventWatcher : IAsyncDisposable
{
    /// <summary>Real time to wait for an event: delivery takes milliseconds, a loaded CI machine is slow.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The memory stream's default queue pull period.</summary>
    private static readonly TimeSpan PullPeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>Real time to wait for the signal after each move of the clock.</summary>
    private static readonly TimeSpan Nudge = TimeSpan.FromMilliseconds(20);

    private readonly FakeTimeProvider _time;

    private readonly Lock _gate = new();
    private readonly List<KeyEvent> _unclaimed = [];
    private readonly List<(KeyEventKind Kind, TaskCompletionSource<KeyEvent> Signal)> _waiting = [];
    private StreamSubscriptionHandle<KeyEvent>? _subscription;

    private KeyEventWatcher(FakeTimeProvider time) => _time = time;

    public static async Task<KeyEventWatcher> StartAsync(SqliteCluster cluster, string tenantId)
    {
        var watcher = new KeyEventWatcher(cluster.Time);
        watcher._subscription = await cluster.Cluster.Client
            .GetStreamProvider(KeyStreams.Provider)
            .GetStream<KeyEvent>(StreamId.Create(KeyStreams.Namespace, tenantId))
            .SubscribeAsync((e, _) =>
            {
                watcher.Receive(e);
                return Task.CompletedTask;
            });
        return watcher;
    }

    /// <summary>
    /// The first event of <paramref name="kind"/> received and not yet claimed by an earlier call, or
    /// the next one to arrive. Moves the test clock by pull periods while it waits.
    /// </summary>
    public async Task<KeyEvent> NextAsync(KeyEventKind kind)
    {
        var arrival = Claim(kind);
        var started = Stopwatch.GetTimestamp();
        while (!arrival.IsCompleted && Stopwatch.GetElapsedTime(started) < Patience)
        {
            _time.Advance(PullPeriod);
            await ((Task)arrival).WaitAsync(Nudge).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return arrival.IsCompleted ? await arrival : throw new TimeoutException($"No {kind} key event arrived within {Patience}.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null)
        {
            await _subscription.UnsubscribeAsync();
        }
    }

    private Task<KeyEvent> Claim(KeyEventKind kind)
    {
        var signal = new TaskCompletionSource<KeyEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var index = _unclaimed.FindIndex(e => e.Kind == kind);
            if (index >= 0)
            {
                signal.SetResult(_unclaimed[index]);
                _unclaimed.RemoveAt(index);
            }
            else
            {
                _waiting.Add((kind, signal));
            }
        }

        return signal.Task;
    }

    private void Receive(KeyEvent e)
    {
        TaskCompletionSource<KeyEvent>? signal = null;
        lock (_gate)
        {
            var index = _waiting.FindIndex(w => w.Kind == e.Kind);
            if (index >= 0)
            {
                signal = _waiting[index].Signal;
                _waiting.RemoveAt(index);
            }
            else
            {
                _unclaimed.Add(e);
            }
        }

        signal?.SetResult(e);
    }
}
