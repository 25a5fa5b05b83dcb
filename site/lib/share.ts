/** What a shared link shows (Open Graph, Twitter cards); every URL absolute, as crawlers need. */
export interface ShareProps {
  title: string;
  description: string;
  url: string;
  image?: { url: string; width: number; height: number; alt: string };
  type?: 'article' | 'website';
  publishedTime?: string;
}
