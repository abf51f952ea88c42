namespace Ekm.Benchmarks;

internal static class KeyUpdateBenchmark
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(args.Length == 0 ? 2 : 2);
}
