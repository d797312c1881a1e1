import { useQuery } from '@tanstack/react-query';
import { getWaveform } from '../../api/tracks';
import { parseWaveform, type WaveformData } from './waveform';

/** The overview peaks of a ready track; null while loading, on error, or when not ready. */
export function useWaveform(trackId: string | null, ready: boolean): WaveformData | null {
  const query = useQuery({
    queryKey: ['tracks', trackId, 'waveform'],
    queryFn: async ({ signal }) => parseWaveform(await getWaveform(trackId!, 'overview', signal)),
    enabled: trackId !== null && ready,
    staleTime: Infinity,
    retry: 1,
  });
  return query.data ?? null;
}
