// The official Node SDK against ecsimg serve: prints what it got as one JSON line.
'use strict';
const Ecs = require('@alicloud/ecs20140526');
const OpenApi = require('@alicloud/openapi-client');

async function main() {
  const config = new OpenApi.Config({
    accessKeyId: process.env.ECSIMG_AK,
    accessKeySecret: process.env.ECSIMG_SECRET,
    endpoint: process.env.ECSIMG_ENDPOINT,
    protocol: 'http',
    regionId: 'cn-hangzhou',
  });
  const client = new Ecs.default(config);
  const images = await client.describeImages(
    new Ecs.DescribeImagesRequest({ regionId: 'cn-hangzhou', pageSize: 3 }));
  let refused = null;
  try {
    await client.describeImages(new Ecs.DescribeImagesRequest({ pageSize: 3 }));
  } catch (err) {
    refused = { code: err.code, statusCode: err.statusCode };
  }
  console.log(JSON.stringify({
    count: images.body.images.image.length,
    total: images.body.totalCount,
    refused,
  }));
}

main().catch((err) => {
  console.error(`node smoke failed: ${err.code || ''} ${err.message}`);
  process.exit(1);
});
