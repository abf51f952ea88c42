namespace Ekm.Benchmarks;

internal static class KmsCallsBenchmark
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(args.Length == 0 ? 2 : 2);
}
